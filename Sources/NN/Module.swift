import Tensor

/// The base class of layers and models: it owns parameters, buffers and child modules and
/// names them exactly as PyTorch's `state_dict()` does (`layer1.0.bn1.running_var`).
///
/// Subclass it, store layers, `Parameter`s and ``Buffer``s in properties, and override
/// ``forward(_:)``. Properties are discovered by reflection and named after the property
/// (an optional one only when set); override ``namedChildren``, ``namedOwnParameters`` or
/// ``namedOwnBuffers`` to choose other names.
///
/// ```swift
/// final class TinyNet: Module {
///     let fc1: Linear, fc2: Linear
///     init(using generator: inout RandomGenerator) {
///         fc1 = Linear(4, 8, using: &generator)
///         fc2 = Linear(8, 2, using: &generator)
///     }
///     override func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
/// }
/// ```
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (batch statistics, active dropout).
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// Computes the module's output. Subclasses override it.
    open func forward(_ input: Tensor) -> Tensor {
        preconditionFailure("\(typeName) does not override forward(_:)")
    }

    /// Calls ``forward(_:)``.
    public final func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    // MARK: Tree

    /// The direct child modules, in declaration order.
    open var namedChildren: [(name: String, module: Module)] {
        reflectedProperties().compactMap { name, value in (value as? Module).map { (name, $0) } }
    }

    /// The parameters this module holds itself (not its children's).
    open var namedOwnParameters: [(name: String, parameter: Parameter)] {
        reflectedProperties().compactMap { name, value in (value as? Parameter).map { (name, $0) } }
    }

    /// The buffers this module holds itself (not its children's).
    open var namedOwnBuffers: [(name: String, buffer: Buffer)] {
        reflectedProperties().compactMap { name, value in (value as? Buffer).map { (name, $0) } }
    }

    /// The name printed for this module; the class name unless overridden.
    open var typeName: String { String(describing: type(of: self)) }

    /// The text inside the parentheses when printed, as PyTorch's `extra_repr`.
    open var extraDescription: String { "" }

    /// Stored properties of this class and its superclasses up to `Module`, unwrapping
    /// optionals (a `nil` one is skipped) and naming array elements `name.0`, `name.1`, ...
    private func reflectedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror, current.subjectType != Module.self {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        var result: [(String, Any)] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label else { continue }
                let value = Mirror(reflecting: child.value)
                if value.displayStyle == .optional {
                    if let wrapped = value.children.first { result.append((label, wrapped.value)) }
                } else if value.displayStyle == .collection, child.value is [Any] {
                    for (index, element) in value.children.enumerated() {
                        result.append(("\(label).\(index)", element.value))
                    }
                } else {
                    result.append((label, child.value))
                }
            }
        }
        return result
    }

    // MARK: Recursive views

    /// Every module in the tree, depth first, with dotted names (`""` for this one).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result = [(prefix, self)]
        for (name, child) in namedChildren {
            result += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return result
    }

    /// Every parameter in the tree with its dotted name (`conv1.weight`), in PyTorch's order.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        namedModules().flatMap { path, module in
            module.namedOwnParameters.map { (path.isEmpty ? $0.name : path + "." + $0.name, $0.parameter) }
        }
    }

    /// Every parameter in the tree, for an optimizer.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer in the tree with its dotted name (`bn1.running_mean`).
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        namedModules().flatMap { path, module in
            module.namedOwnBuffers.map { (path.isEmpty ? $0.name : path + "." + $0.name, $0.buffer) }
        }
    }

    /// The number of scalar parameters (trainable or not).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    /// The number of scalar parameters that require gradients.
    public var trainableParameterCount: Int { parameters().filter(\.requiresGrad).reduce(0) { $0 + $1.value.count } }

    // MARK: Modes

    /// Switches the whole tree to training (`true`) or evaluation mode.
    public func train(_ training: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Switches the whole tree to evaluation mode: running statistics, no dropout.
    public func eval() { train(false) }

    /// Forgets the accumulated gradients of every parameter.
    public func zeroGrad() { for parameter in parameters() { parameter.zeroGrad() } }

    /// Stops (or restarts) gradient computation for every parameter in the tree.
    public func freeze(_ frozen: Bool = true) { for parameter in parameters() { parameter.requiresGrad = !frozen } }

    // MARK: Printing

    /// The module tree as PyTorch prints it.
    public var description: String {
        let children = namedChildren
        if children.isEmpty { return "\(typeName)(\(extraDescription))" }
        var lines = ["\(typeName)("]
        if !extraDescription.isEmpty { lines.append("  " + extraDescription) }
        for (name, child) in children {
            let text = child.description.split(separator: "\n", omittingEmptySubsequences: false).joined(
                separator: "\n  ")
            lines.append("  (\(name)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}
