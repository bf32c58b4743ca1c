import Foundation

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
}
