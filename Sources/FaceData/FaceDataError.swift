import Foundation
import TensorIO

/// An error from reading face data: an annotation file, an image, or a dataset folder.
///
/// Every error names the file and, where it applies, the line or XML element, and says what
/// was expected:
///
/// ```
/// /data/imm_face_db/01-1m.asf:17: expected 7 fields `path type x y point from to`, got 3
/// /data/labels.xml: <image file='afw/1.jpg'> box 1: expected 68 parts, got 67
/// ```
public struct FaceDataError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong, coarsely, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file is missing or cannot be read.
        case unreadable
        /// The file's structure is not what the format prescribes (bad header, malformed XML).
        case malformed
        /// A number could not be parsed, or is not finite.
        case invalidNumber
        /// The file holds a different number of points than expected.
        case wrongPointCount
        /// A point or box lies outside the image it annotates.
        case outOfBounds
        /// The image could not be decoded.
        case badImage
        /// A dataset ended up with no samples, or an argument is out of range.
        case invalidArgument
    }

    /// The coarse kind of failure, for callers that branch on it.
    public var kind: Kind
    /// The file the error is about (a path, as given).
    public var file: String
    /// The 1-based line in `file`, when known.
    public var line: Int?
    /// The XML element or record inside `file`, when known (`<image file='a.jpg'> box 2`).
    public var element: String?
    /// What was expected and what was found.
    public var message: String

    /// An error of kind `kind` about `file` (at `line` and `element` when known), explained by
    /// `message`.
    public init(_ kind: Kind, file: String, line: Int? = nil, element: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.element = element
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let element { location += ": \(element)" }
        return "\(location): \(message)"
    }

    public var errorDescription: String? { description }
}

/// Reads a text file as UTF-8 (falling back to ISO Latin 1), throwing ``FaceDataError``.
func readText(_ url: URL) throws -> String {
    let data = try RegularFile.contents(of: url) {
        FaceDataError(.unreadable, file: url.path, "cannot read the file (\($0))")
    }
    if let text = String(data: data, encoding: .utf8) { return text }
    if let text = String(data: data, encoding: .isoLatin1) { return text }
    throw FaceDataError(.malformed, file: url.path, "the file is not text")
}

/// Parses a finite floating-point number, or returns nil.
func parseFinite(_ token: Substring) -> Double? {
    guard let value = Double(token), value.isFinite else { return nil }
    return value
}

/// Splits a line into whitespace-separated (spaces and tabs) fields.
func fields(_ line: Substring) -> [Substring] {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
}

/// The lines of `text` with their 1-based numbers (handles `\n` and `\r\n`).
func numberedLines(_ text: String) -> [(number: Int, text: Substring)] {
    text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
        (index + 1, line.hasSuffix("\r") ? line.dropLast() : line)
    }
}
