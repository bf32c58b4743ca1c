import Foundation
import Tensor

/// Why a state dict did not load: every missing, unexpected and wrong-shape key at once.
public struct StateDictError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// Where the state dict came from (a file path, or "state dict").
    public let source: String
    /// Keys the model has that the state dict lacks.
    public let missing: [String]
    /// Keys the state dict has that the model lacks.
    public let unexpected: [String]
    /// Keys whose shapes differ: the model's shape, then the state dict's.
    public let mismatched: [(key: String, expected: [Int], found: [Int])]

    public var description: String {
        var lines = ["\(source): the weights do not fit the model"]
        if !missing.isEmpty { lines.append("  missing keys: " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { lines.append("  unexpected keys: " + unexpected.joined(separator: ", ")) }
        for entry in mismatched {
            lines.append("  \(entry.key): the model expects shape \(entry.expected), the weights have \(entry.found)")
        }
        lines.append("  Check that the file was saved from the same architecture (and input channels / outputs).")
        return lines.joined(separator: "\n")
    }

    public var errorDescription: String? { description }

    /// Throws unless `tensors` fit `expected` (names and shapes, in order): the shapes of the
    /// names both have must match, and with `strict` the names must be the same.
    static func check(
        _ tensors: [String: Tensor], fit expected: [(name: String, shape: [Int])], strict: Bool, source: String
    ) throws {
        let mismatched = expected.compactMap { name, shape in
            tensors[name].flatMap { $0.shape == shape ? nil : (key: name, expected: shape, found: $0.shape) }
        }
        let known = Set(expected.map(\.name))
        let missing = strict ? expected.map(\.name).filter { tensors[$0] == nil } : []
        let unexpected = strict ? tensors.keys.filter { !known.contains($0) }.sorted() : []
        guard missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty else {
            throw StateDictError(source: source, missing: missing, unexpected: unexpected, mismatched: mismatched)
        }
    }
}
