import Tensor

/// Passes its input through unchanged, as `torch.nn.Identity`.
public final class Identity: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input }
}
