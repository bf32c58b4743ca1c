import Tensor

/// `max(x, 0)` elementwise, as `torch.nn.ReLU`. `inplace` only affects printing: this library
/// never overwrites a tensor a backward pass may need. Shape: unchanged.
public final class ReLU: Module {
    public let inplace: Bool
    public init(inplace: Bool = false) { self.inplace = inplace }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
    public override var extraDescription: String { inplace ? "inplace=True" : "" }
}

/// `x` where positive, `negativeSlope * x` elsewhere, as `torch.nn.LeakyReLU`. Shape: unchanged.
public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public override func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)" }
}

/// Passes its input through unchanged, as `torch.nn.Identity`.
public final class Identity: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input }
}

/// Flattens the axes from `startAxis` on, as `torch.nn.Flatten` (default: all but the batch).
/// Shape: `[N, C, H, W]` -> `[N, C * H * W]`.
public final class Flatten: Module {
    public let startAxis: Int
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(from: startAxis) }
    public override var extraDescription: String { "start_dim=\(startAxis), end_dim=-1" }
}

/// Randomly zeroes elements with probability `p` in training mode, as `torch.nn.Dropout`
/// (inverted dropout: kept elements are scaled by `1 / (1 - p)`). Shape: unchanged.
public final class Dropout: Module {
    public let p: Float
    /// The generator drawing the masks; seeded at construction for reproducible runs.
    public var generator: RandomGenerator

    public init(p: Float = 0.5, using generator: inout RandomGenerator) {
        precondition(p >= 0 && p <= 1, "Dropout: probability must be in 0...1, got \(p)")
        self.p = p
        self.generator = generator.split()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        dropout(input, p: p, training: isTraining, generator: &generator)
    }

    public override var extraDescription: String { "p=\(p), inplace=False" }
}

/// Runs its layers in order, as `torch.nn.Sequential`; children are named `0`, `1`, ...
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: [Module]) { self.layers = layers }
    public convenience init(_ layers: Module...) { self.init(layers) }

    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    public override var namedChildren: [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }
}
