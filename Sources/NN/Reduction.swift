import Tensor

/// How a loss combines its per-element values.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over all elements (PyTorch's default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one loss per element.
    case none
}
