import Foundation
import Tensor

/// Updates a list of ``Parameter``s from their gradients, as `torch.optim.Optimizer` does.
///
/// An optimizer holds references to the parameters it trains (never a copy of the model),
/// organised in one or more ``ParameterGroup``s that each carry their own hyper-parameters
/// (for example no weight decay on biases and BatchNorm scales). Per-parameter state such as
/// momentum buffers is created the first time a parameter is updated.
///
/// A training step:
///
/// ```swift
/// let optimizer = try AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 1e-2)
/// for batch in batches {
///     optimizer.zeroGrad()
///     let loss = lossFunction(model(batch.images), batch.targets)
///     loss.backward()
///     optimizer.step()
/// }
/// ```
///
/// ``step()`` skips parameters whose gradient is `nil` and frozen parameters
/// (`requiresGrad == false`), as PyTorch does. Its state round-trips through
/// ``state()`` and ``load(_:)`` so that a resumed run continues bit for bit.
public protocol Optimizer: AnyObject {
    /// The optimizer's name as used in messages and saved states: `"SGD"`, `"Adam"`, `"AdamW"`.
    var name: String { get }

    /// The parameter groups given at construction, in order. The flat index of a parameter
    /// (used in ``OptimizerState`` keys such as `state.3.exp_avg`) counts through the groups
    /// in this order, as `torch.optim.Optimizer.state_dict()` does.
    var parameterGroups: [ParameterGroup] { get }

    /// The current learning rate of group `group`.
    func learningRate(ofGroup group: Int) -> Double

    /// Sets the learning rate of group `group` (what a scheduler does every step).
    /// `learningRate` must be finite; it is not otherwise checked, because a schedule's
    /// arithmetic may legitimately round to a value a hair below zero.
    func setLearningRate(_ learningRate: Double, ofGroup group: Int)

    /// The momentum-like coefficient that one-cycle schedules cycle: SGD's `momentum`, Adam's
    /// `beta1`. `nil` when the optimizer has none.
    func momentum(ofGroup group: Int) -> Double?

    /// Sets the momentum-like coefficient of group `group` (SGD's `momentum`, Adam's `beta1`).
    func setMomentum(_ momentum: Double, ofGroup group: Int)

    /// Applies one update to every parameter that has a gradient and requires one.
    func step()

    /// Forgets the gradients of all parameters (`zero_grad(set_to_none=True)`).
    func zeroGrad()

    /// A snapshot of the hyper-parameters of every group and of the per-parameter state.
    ///
    /// The snapshot is a value: later steps do not change it (tensors are copied on write).
    func state() -> OptimizerState

    /// Restores a snapshot taken by ``state()`` of an optimizer of the same kind over the same
    /// parameter layout (group count, parameters per group and their shapes). Hyper-parameters
    /// (learning rates, momentum, ...) are restored too, as `load_state_dict` does.
    ///
    /// - Throws: ``OptimizerError`` naming the key or group that does not fit. The optimizer
    ///   is left unchanged when loading fails.
    func load(_ state: OptimizerState) throws
}

extension Optimizer {
    /// All parameters of all groups, in flat-index order.
    public var parameters: [Parameter] { parameterGroups.flatMap(\.parameters) }

    /// The learning rate of every group, in group order.
    public var learningRates: [Double] { (0..<parameterGroups.count).map { learningRate(ofGroup: $0) } }

    /// Forgets the gradients of all parameters (`zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in parameterGroups {
            for parameter in group.parameters { parameter.zeroGrad() }
        }
    }
}

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
                throw OptimizerError("\(owner): a parameter of shape \(parameter.shape) appears more than once (again in group \(index)); each parameter must be in exactly one group")
            }
        }
    }
}

/// The saved state of an optimizer, ready to be written next to the model's weights.
///
/// It has two parts so that it persists without loss:
/// - ``tensors``: the per-parameter buffers, named as in PyTorch's `state_dict()["state"]`
///   with the parameter's flat index: `state.0.momentum_buffer` (SGD), `state.0.step`
///   (a scalar), `state.0.exp_avg`, `state.0.exp_avg_sq`, `state.0.max_exp_avg_sq` (Adam and
///   AdamW). A parameter that was never updated has no entries. These can be stored as
///   safetensors tensors, for example under an `optimizer.` prefix.
/// - ``metadata``: the optimizer's name and, per group, the number of parameters and the
///   hyper-parameters in double precision (`lr`, `momentum`, `beta1`, ...). It is `Codable`;
///   ``encodedMetadata()`` gives a JSON string that fits in a safetensors header's
///   `__metadata__`, and ``init(encodedMetadata:tensors:)`` reads it back. Learning rates are
///   kept as `Double` (not as Float tensors) so that a resumed schedule is bit-exact.
///
/// ```swift
/// // save
/// let snapshot = optimizer.state()
/// let json = try snapshot.encodedMetadata()
/// // ... write snapshot.tensors and json ...
/// // restore: build the optimizer (and scheduler) as before, then
/// try optimizer.load(OptimizerState(encodedMetadata: json, tensors: tensorsReadBack))
/// ```
public struct OptimizerState: Sendable {
    /// The scalar part of a saved optimizer.
    public struct Metadata: Codable, Equatable, Sendable {
        /// `"SGD"`, `"Adam"` or `"AdamW"`.
        public var optimizer: String
        /// One entry per parameter group, in order.
        public var groups: [Group]

        /// Creates metadata.
        public init(optimizer: String, groups: [Group]) {
            self.optimizer = optimizer
            self.groups = groups
        }
    }

    /// The saved hyper-parameters of one parameter group.
    public struct Group: Codable, Equatable, Sendable {
        /// How many parameters the group holds (checked on load).
        public var parameterCount: Int
        /// Hyper-parameters by PyTorch's names: `lr`, `weight_decay`, and `momentum`,
        /// `dampening`, `nesterov` (0 or 1) for SGD; `beta1`, `beta2`, `eps`, `amsgrad`
        /// (0 or 1) for Adam and AdamW.
        public var hyperParameters: [String: Double]

        /// Creates a group entry.
        public init(parameterCount: Int, hyperParameters: [String: Double]) {
            self.parameterCount = parameterCount
            self.hyperParameters = hyperParameters
        }
    }

    /// Hyper-parameters and layout.
    public var metadata: Metadata
    /// Per-parameter buffers by name (`state.<flat index>.<buffer>`).
    public var tensors: [String: Tensor]

    /// Creates a state from its two parts.
    public init(metadata: Metadata, tensors: [String: Tensor]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// Reads the metadata from the JSON produced by ``encodedMetadata()``.
    public init(encodedMetadata: String, tensors: [String: Tensor]) throws {
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: Data(encodedMetadata.utf8))
        } catch {
            throw OptimizerError("OptimizerState: cannot read the metadata JSON: \(error)")
        }
        self.tensors = tensors
    }

    /// The metadata as compact JSON with sorted keys. Doubles are written with enough digits
    /// to read back exactly.
    public func encodedMetadata() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    /// The key of buffer `buffer` of the parameter at flat index `index`.
    public static func key(_ index: Int, _ buffer: String) -> String { "state.\(index).\(buffer)" }

    // MARK: Loading helpers

    /// Checks optimizer name and group layout against `groups`.
    func checkLayout(owner: String, groups: [ParameterGroup]) throws {
        guard metadata.optimizer == owner else {
            throw OptimizerError("\(owner).load: the saved state was written by \(metadata.optimizer)")
        }
        guard metadata.groups.count == groups.count else {
            throw OptimizerError("\(owner).load: the saved state has \(metadata.groups.count) parameter groups, the optimizer has \(groups.count)")
        }
        for (index, (saved, group)) in zip(metadata.groups, groups).enumerated() where saved.parameterCount != group.parameters.count {
            throw OptimizerError("\(owner).load: group \(index) has \(saved.parameterCount) parameters in the saved state, \(group.parameters.count) in the optimizer")
        }
        let known = Set(tensors.keys)
        for key in known.sorted() {
            let parts = key.split(separator: ".")
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), index >= 0,
                  index < groups.reduce(0, { $0 + $1.parameters.count }) else {
                throw OptimizerError("\(owner).load: unexpected key '\(key)' in the saved state")
            }
        }
    }

    /// The tensor saved under `key`, checked against `shape`; `nil` when absent.
    func tensor(_ key: String, shape: [Int], owner: String) throws -> Tensor? {
        guard let tensor = tensors[key] else { return nil }
        guard tensor.shape == shape else {
            throw OptimizerError("\(owner).load: '\(key)' has shape \(tensor.shape), the parameter has shape \(shape)")
        }
        return tensor.detached()
    }

    /// A hyper-parameter of group `group`, which must be present.
    func hyperParameter(_ name: String, group: Int, owner: String) throws -> Double {
        guard let value = metadata.groups[group].hyperParameters[name] else {
            throw OptimizerError("\(owner).load: group \(group) of the saved state has no '\(name)'")
        }
        return value
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
