import Tensor

/// `max(x, 0)` elementwise, as `torch.nn.ReLU`. `inplace` only affects printing: this library
/// never overwrites a tensor a backward pass may need. Shape: unchanged.
public final class ReLU: Module {
    /// PyTorch's `inplace` flag; it only appears in the printed form.
    public let inplace: Bool
    /// Creates the activation; `inplace` only changes how it prints.
    public init(inplace: Bool = false) { self.inplace = inplace }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
    public override var extraDescription: String { inplace ? "inplace=True" : "" }
}
