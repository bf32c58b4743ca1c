import Tensor

/// The contents of a safetensors file.
public struct SafeTensorsFile: Sendable {
    /// Every tensor, converted to `Float32`, by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` object (empty when the file has none).
    public var metadata: [String: String]
    /// The tensor names in the order their data is stored.
    public var names: [String]
    /// The dtype each tensor was stored as; pass it back to `SafeTensors.write` to keep it.
    public var dtypes: [String: SafeTensors.DType]

    /// Creates the contents from its tensors by name, the `__metadata__` strings, the names in
    /// storage order and the stored dtype of each tensor.
    public init(
        tensors: [String: Tensor], metadata: [String: String], names: [String], dtypes: [String: SafeTensors.DType]
    ) {
        self.tensors = tensors
        self.metadata = metadata
        self.names = names
        self.dtypes = dtypes
    }

    /// The tensor called `name`, if there is one.
    public subscript(name: String) -> Tensor? { tensors[name] }

    /// The tensors stored as `<section>.<name>`, by `name` (see ``SafeTensors/joining(_:)``).
    public func tensors(inSection section: String) -> [String: Tensor] {
        let prefix = section + "."
        return Dictionary(
            uniqueKeysWithValues: tensors.compactMap { name, tensor in
                name.hasPrefix(prefix) ? (String(name.dropFirst(prefix.count)), tensor) : nil
            })
    }
}
