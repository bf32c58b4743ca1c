import Tensor

/// `x` where positive, `negativeSlope * x` elsewhere, as `torch.nn.LeakyReLU`. Shape: unchanged.
public final class LeakyReLU: Module {
    /// The slope for negative inputs, PyTorch's `negative_slope`.
    public let negativeSlope: Float
    /// Creates the activation with `negativeSlope`, by default PyTorch's 0.01.
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public override func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)" }
}
