import Tensor

/// Randomly zeroes elements with probability `p` in training mode, as `torch.nn.Dropout`
/// (inverted dropout: kept elements are scaled by `1 / (1 - p)`). Shape: unchanged.
public final class Dropout: Module {
    /// The probability of zeroing each element, in `0...1`.
    public let p: Float
    /// The generator drawing the masks; seeded at construction for reproducible runs.
    public var generator: RandomGenerator

    /// Creates a dropout with probability `p`, its own generator split off `generator`.
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
