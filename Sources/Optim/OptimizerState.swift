import Foundation
import Tensor

/// The saved state of an optimizer, ready to be written next to the model's weights.
///
/// It has two parts so that it persists without loss:
/// - ``tensors``: the per-parameter buffers, named as in PyTorch's `state_dict()["state"]`
///   with the parameter's flat index: `state.0.momentum_buffer` (SGD), `state.0.step`
///   (a scalar), `state.0.exp_avg`, `state.0.exp_avg_sq`, `state.0.max_exp_avg_sq` (Adam and
///   AdamW). A parameter that was never updated has no entries. These can be stored as
///   safetensors tensors, for example as a file's `optimizer` section
///   (`SafeTensors.joining(_:)`, `SafeTensorsFile.tensors(inSection:)`).
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
            throw OptimizerError(
                "\(owner).load: the saved state has \(metadata.groups.count) parameter groups, the optimizer has \(groups.count)"
            )
        }
        for (index, (saved, group)) in zip(metadata.groups, groups).enumerated()
        where saved.parameterCount != group.parameters.count {
            throw OptimizerError(
                "\(owner).load: group \(index) has \(saved.parameterCount) parameters in the saved state, \(group.parameters.count) in the optimizer"
            )
        }
        let known = Set(tensors.keys)
        for key in known.sorted() {
            let parts = key.split(separator: ".")
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), index >= 0,
                index < groups.reduce(0, { $0 + $1.parameters.count })
            else {
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
