import Tensor

/// Parametric ReLU, as `torch.nn.PReLU(num_parameters, init)`: `x` where positive,
/// `weight[c] * x` elsewhere, one learnable slope per channel (axis 1) or one shared slope.
/// The slopes are the parameter `weight` (shape `[numParameters]`), as in PyTorch's state dict.
///
/// Shape: `[N, C, H, W]` or `[N, C]` (any `[N, C, ...]`) -> unchanged, with `C == numParameters`
/// unless `numParameters == 1`.
public final class PReLU: Module {
    /// The slopes for negative inputs (`weight`), shape `[numParameters]`.
    public let weight: Parameter
    /// The number of slopes: 1 (shared) or the channel count, PyTorch's `num_parameters`.
    public let numParameters: Int

    /// Creates the activation with `numParameters` slopes, each starting at `initialValue`
    /// (PyTorch's `init`, 0.25).
    public init(numParameters: Int = 1, initialValue: Float = 0.25) {
        precondition(numParameters > 0, "PReLU: the number of parameters must be positive, got \(numParameters)")
        self.numParameters = numParameters
        weight = Parameter(Tensor(repeating: initialValue, shape: [numParameters]))
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            numParameters == 1 || (input.rank >= 2 && input.shape[1] == numParameters),
            "PReLU(\(numParameters)): expected [N, \(numParameters), ...], got \(input.shape)")
        return prelu(input, weight: weight.value)
    }

    public override var extraDescription: String { "num_parameters=\(numParameters)" }
}
