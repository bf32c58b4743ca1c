import Tensor

/// A fully connected layer `y = x Wᵀ + b`, as `torch.nn.Linear`, initialized as PyTorch does.
///
/// Shape: `[N, inFeatures]` -> `[N, outFeatures]`.
public final class Linear: Module {
    /// The weight `W`, shape `[outFeatures, inFeatures]`, PyTorch's layout.
    public let weight: Parameter
    /// The bias `b`, shape `[outFeatures]`; nil when created with `bias: false`.
    public let bias: Parameter?
    /// The input and output feature counts.
    public let inFeatures, outFeatures: Int

    /// Creates a layer from `inFeatures` to `outFeatures` features, with the weight and bias drawn
    /// from `generator` as PyTorch initializes them.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        precondition(
            inFeatures > 0 && outFeatures > 0,
            "Linear: feature counts must be positive, got \(inFeatures)->\(outFeatures)")
        (self.inFeatures, self.outFeatures) = (inFeatures, outFeatures)
        let shape = [outFeatures, inFeatures]
        weight = Parameter(Initializer.kaimingUniform(shape, using: &generator))
        self.bias =
            bias ? Parameter(Initializer.defaultBias(count: outFeatures, weightShape: shape, using: &generator)) : nil
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 2 && input.shape[1] == inFeatures,
            "Linear(\(inFeatures)->\(outFeatures)): expected [N, \(inFeatures)], got \(input.shape)")
        return linear(input, weight: weight.value, bias: bias?.value)
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias != nil ? "True" : "False")"
    }
}
