import Tensor

/// Runs its layers in order, as `torch.nn.Sequential`; children are named `0`, `1`, ...
public final class Sequential: Module {
    /// The layers, in the order they run.
    public let layers: [Module]

    /// Creates a sequence that runs `layers` in array order.
    public init(_ layers: [Module]) { self.layers = layers }
    /// Creates a sequence that runs the given layers in argument order.
    public convenience init(_ layers: Module...) { self.init(layers) }

    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    public override var namedChildren: [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }
}
