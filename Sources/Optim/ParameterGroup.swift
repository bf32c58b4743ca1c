import Tensor

/// A list of parameters that share hyper-parameters inside an optimizer, with optional
/// overrides of the optimizer's defaults (PyTorch's `param_groups` entries).
///
/// ```swift
/// let optimizer = try SGD(groups: [
///     ParameterGroup(convolutionWeights),
///     ParameterGroup(biasesAndNormScales, weightDecay: 0),
/// ], learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
/// ```
///
/// The overrides only set the starting values; the current values live in the optimizer
/// (for example ``SGD/groupOptions``) where schedulers change them.
public struct ParameterGroup: Sendable {
    /// The parameters of this group.
    public var parameters: [Parameter]
    /// The group's learning rate, or `nil` for the optimizer's default.
    public var learningRate: Double?
    /// The group's weight decay, or `nil` for the optimizer's default.
    public var weightDecay: Double?

    /// A group of `parameters`, overriding the optimizer's learning rate and/or weight decay.
    public init(_ parameters: [Parameter], learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// Splits `parameters` into two groups, the common recipe for weight decay: matrices and
    /// convolution kernels (rank 2 and more) decay with the optimizer's default, while biases
    /// and normalization scales and shifts (rank 0 and 1) get no weight decay.
    /// Empty groups are left out.
    public static func separatingNoDecay(_ parameters: [Parameter]) -> [ParameterGroup] {
        let decayed = parameters.filter { $0.shape.count >= 2 }
        let notDecayed = parameters.filter { $0.shape.count < 2 }
        var groups: [ParameterGroup] = []
        if !decayed.isEmpty { groups.append(ParameterGroup(decayed)) }
        if !notDecayed.isEmpty { groups.append(ParameterGroup(notDecayed, weightDecay: 0)) }
        return groups
    }

    /// Checks a group list: at least one parameter, and no parameter in two places.
    static func validate(_ groups: [ParameterGroup], owner: String) throws {
        guard groups.contains(where: { !$0.parameters.isEmpty }) else {
            throw OptimizerError("\(owner): got an empty parameter list")
        }
        var seen = Set<ObjectIdentifier>()
        for (index, group) in groups.enumerated() {
            for parameter in group.parameters where !seen.insert(ObjectIdentifier(parameter)).inserted {
                throw OptimizerError(
                    "\(owner): a parameter of shape \(parameter.shape) appears more than once (again in group \(index)); each parameter must be in exactly one group"
                )
            }
        }
    }
}

/// Parameters of `groups` with their flat index, in order.
func enumerateParameters(_ groups: [ParameterGroup]) -> [(group: Int, index: Int, parameter: Parameter)] {
    var result: [(group: Int, index: Int, parameter: Parameter)] = []
    var index = 0
    for (groupIndex, group) in groups.enumerated() {
        for parameter in group.parameters {
            result.append((groupIndex, index, parameter))
            index += 1
        }
    }
    return result
}
