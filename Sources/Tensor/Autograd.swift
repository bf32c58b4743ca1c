/// A vertex of the autograd graph: either a leaf (a tensor that requires gradients, such as
/// a ``Parameter``) or the output of a differentiable operation, with the backward function
/// that maps the output's gradient to its inputs' gradients.
final class GradNode {
    /// The input nodes; emptied (with ``backward``) once the backward function has run, which
    /// frees the tensors it saved, as PyTorch frees saved tensors without `retain_graph`.
    private(set) var inputs: [GradNode?]
    private(set) var backward: ((Tensor) -> [Tensor?])?
    let shape: [Int]
    let isLeaf: Bool
    /// Whether an earlier `backward()` already ran and freed this node.
    private(set) var isReleased = false
    /// Accumulated gradient (`+=`), kept on leaves until zeroed, freed on inner nodes once used.
    var grad: Tensor?

    init(shape: [Int], inputs: [GradNode?], backward: ((Tensor) -> [Tensor?])?) {
        self.shape = shape
        self.inputs = inputs
        self.backward = backward
        self.isLeaf = backward == nil
    }

    /// Drops the backward function and the inputs, and with them the saved tensors.
    func release() {
        guard !isLeaf else { return }
        backward = nil
        inputs = []
        isReleased = true
    }

    func accumulate(_ gradient: Tensor) {
        precondition(
            gradient.shape == shape, "autograd: gradient of shape \(gradient.shape) for a tensor of shape \(shape)")
        if var existing = grad {
            grad = nil
            existing.addInPlace(gradient)
            grad = existing
        } else {
            grad = gradient.detached()
        }
    }
}

/// Runs `body` without recording anything for autograd, for inference and evaluation
/// (PyTorch's `torch.no_grad()`).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether gradients flow to this tensor. Setting it on a tensor makes it a leaf whose
    /// ``grad`` fills on ``backward(retainGraph:)``.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                if node == nil || !node!.isLeaf { node = GradNode(shape: shape, inputs: [], backward: nil) }
            } else {
                node = nil
            }
        }
    }

    /// The gradient accumulated into this leaf by ``backward(retainGraph:)``, or `nil`.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set { node?.grad = newValue }
    }

    /// The same values, cut from the graph: no gradient flows through the result.
    public func detached() -> Tensor {
        var result = self
        result.node = nil
        return result
    }

    /// Connects `output` to `inputs` in the autograd graph, so that ``backward(retainGraph:)`` calls
    /// `backward` with the gradient of the output and passes each returned gradient to the
    /// matching input (`nil` for an input that needs none). This is how every
    /// differentiable operation is built, and how a new one is written outside the package:
    ///
    /// ```swift
    /// func cube(_ x: Tensor) -> Tensor {
    ///     let y = withoutGradients { x * x * x }
    ///     return Tensor.recording(y, inputs: [x]) { gradOutput in
    ///         [gradOutput * 3 * x * x]
    ///     }
    /// }
    /// ```
    ///
    /// `backward` runs with gradient recording off; each gradient it returns must have the
    /// shape of its input. When recording is off or no input requires gradients, `output` is
    /// returned unchanged.
    public static func recording(
        _ output: Tensor, inputs: [Tensor], backward: @escaping (_ gradOutput: Tensor) -> [Tensor?]
    ) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return output.detached() }
        var result = output
        result.node = GradNode(shape: output.shape, inputs: inputs.map(\.node), backward: backward)
        return result
    }

    /// Computes the gradient of this scalar with respect to every tensor it depends on that
    /// requires gradients, and adds it to their ``grad``. Gradients accumulate until zeroed.
    ///
    /// The graph is freed on the way (each operation's saved tensors as soon as its backward
    /// has run), as PyTorch does; pass `retainGraph: true` to differentiate it again.
    public func backward(retainGraph: Bool = false) {
        precondition(
            count == 1,
            "Tensor.backward: expected a scalar (one element) to differentiate, got shape \(shape); reduce it first, for example with .sum() or .mean()"
        )
        backward(gradient: Tensor(repeating: 1, shape: shape), retainGraph: retainGraph)
    }

    /// Backpropagates `gradient` (the gradient of some scalar with respect to this tensor),
    /// freeing the graph on the way unless `retainGraph`.
    public func backward(gradient: Tensor, retainGraph: Bool = false) {
        precondition(
            gradient.shape == shape,
            "Tensor.backward: gradient shape \(gradient.shape) does not match tensor shape \(shape)")
        guard let root = node else {
            preconditionFailure(
                "Tensor.backward: this tensor does not require gradients; nothing it depends on has requiresGrad set")
        }
        precondition(!root.isReleased, Tensor.releasedGraphMessage)
        // Topological order by iterative depth-first search (graphs of deep nets are too deep
        // for recursion).
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (current, next) = stack.popLast() {
            if next < current.inputs.count {
                stack.append((current, next + 1))
                if let input = current.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(current)
            }
        }
        root.accumulate(gradient)
        withoutGradients {
            for current in order.reversed() {
                guard !current.isLeaf else { continue }
                precondition(!current.isReleased, Tensor.releasedGraphMessage)
                guard let backward = current.backward, let gradOutput = current.grad else {
                    if !retainGraph { current.release() }
                    continue
                }
                current.grad = nil
                let inputGrads = backward(gradOutput)
                precondition(
                    inputGrads.count == current.inputs.count,
                    "autograd: a backward function returned \(inputGrads.count) gradients for \(current.inputs.count) inputs"
                )
                let inputs = current.inputs
                if !retainGraph { current.release() }
                for (input, inputGrad) in zip(inputs, inputGrads) {
                    if let input, let inputGrad { input.accumulate(inputGrad) }
                }
            }
        }
    }

    static let releasedGraphMessage =
        "Tensor.backward: part of this graph was already freed by an earlier backward(); to differentiate through a graph twice, pass retainGraph: true to every backward() but the last"
}
