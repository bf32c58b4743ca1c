/// A trainable tensor and its gradient, shared by reference between a module and an
/// optimizer.
///
/// Use ``value`` in the forward pass; gradients accumulate in ``grad`` on `backward()`.
/// An optimizer updates the values in place with ``update(_:)`` without touching the graph.
public final class Parameter: @unchecked Sendable {
    /// The current value, a leaf of the autograd graph when ``requiresGrad`` is on.
    public private(set) var value: Tensor

    /// Creates a parameter holding `value`, which requires gradients.
    public init(_ value: Tensor, requiresGrad: Bool = true) {
        self.value = value.detached()
        self.value.requiresGrad = requiresGrad
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }

    /// Whether the optimizer trains this parameter; off for frozen parameters.
    public var requiresGrad: Bool {
        get { value.requiresGrad }
        set { value.requiresGrad = newValue }
    }

    /// The accumulated gradient, or `nil` before the first backward pass and after
    /// ``zeroGrad()``.
    public var grad: Tensor? {
        get { value.grad }
        set { value.grad = newValue }
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { value.grad = nil }

    /// Changes the values in place, keeping the parameter's identity in the graph.
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        value.withUnsafeMutableBufferPointer(body)
    }

    /// Replaces the value with `newValue` of the same shape (used when loading weights).
    public func assign(_ newValue: Tensor) {
        precondition(
            newValue.shape == value.shape, "Parameter.assign: expected shape \(value.shape), got \(newValue.shape)")
        newValue.withUnsafeBufferPointer { source in
            update { $0.baseAddress!.update(from: source.baseAddress!, count: source.count) }
        }
    }
}
