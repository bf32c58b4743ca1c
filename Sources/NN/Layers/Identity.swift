import Tensor

/// Passes its input through unchanged, as `torch.nn.Identity`.
public final class Identity: Module {
    /// Creates the layer, which has no parameters.
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input }
}
