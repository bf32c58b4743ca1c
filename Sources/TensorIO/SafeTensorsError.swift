import Foundation

/// A safetensors file (or its bytes) could not be read or is malformed.
///
/// The description names the source, the key, and what was expected, e.g.
/// `weights.safetensors: 'conv1.weight': data_offsets [0, 96] span 96 bytes, but F32 with
/// shape [16, 1, 5, 5] needs 1600 bytes`.
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What kind of problem was found.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read or written.
        case io
        /// The file is shorter than its 8-byte length prefix or its declared header.
        case truncated
        /// The declared header is longer than ``SafeTensors/maximumHeaderLength``.
        case headerTooLarge
        /// The header is not UTF-8, not JSON, or not a JSON object.
        case invalidHeader
        /// A tensor entry is not an object, lacks `dtype`, `shape` or `data_offsets`, or has
        /// values of the wrong type.
        case invalidEntry
        /// A `dtype` that the safetensors format does not define.
        case unknownDType
        /// A `dtype` the format defines but this reader does not convert to `Float32`.
        case unsupportedDType
        /// The element count or byte count of a shape does not fit in `Int`.
        case overflow
        /// `data_offsets` that do not match the shape, overlap, leave gaps, leave the buffer,
        /// or do not cover it exactly.
        case invalidOffsets
        /// A key that appears twice in the same JSON object.
        case duplicateKey
        /// `__metadata__` is not an object of strings.
        case invalidMetadata
    }

    /// What kind of problem it is.
    public let kind: Kind
    /// The file path (or other name) given when reading.
    public let source: String
    /// The header key (tensor name, metadata key) the problem is in, if any.
    public let key: String?
    /// What is wrong and what was expected.
    public let message: String

    /// Creates an error of `kind` found in `source`, at header `key` if any, explained by `message`.
    public init(_ kind: Kind, source: String, key: String? = nil, message: String) {
        self.kind = kind
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(source): '\(key)': \(message)" }
        return "\(source): \(message)"
    }

    public var errorDescription: String? { description }
}
