import Foundation

/// The parts of a `multipart/form-data` body (RFC 7578): what a browser's form or
/// `curl -F photo=@face.jpg` sends. Reads only what the service needs (each part's name,
/// file name, content type and bytes) and refuses anything malformed with a reason.
struct MultipartForm {
    /// One field of the form.
    struct Part {
        /// The field's name (`name="photo"`).
        var name: String?
        /// The uploaded file's name (`filename="face.jpg"`), for file fields.
        var fileName: String?
        /// The part's own `Content-Type`.
        var contentType: String?
        /// The part's bytes.
        var body: Data
    }

    /// The parts, in order.
    var parts: [Part]

    /// The boundary named by a `multipart/form-data; boundary=...` content type, or nil.
    static func boundary(of contentType: String) -> String? {
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.first?.lowercased() == "multipart/form-data" else { return nil }
        for field in fields.dropFirst() where field.lowercased().hasPrefix("boundary=") {
            var value = String(field.dropFirst("boundary=".count))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Splits `body` at `boundary`; throws a reason when the body is not a complete form.
    init(_ body: Data, boundary: String) throws(APIError) {
        func malformed(_ reason: String) -> APIError {
            APIError(.badRequest, kind: "bad_form", "the multipart form is malformed: \(reason)")
        }
        let delimiter = Data("--\(boundary)".utf8), lineBreak = Data("\r\n".utf8)
        guard let first = body.range(of: delimiter) else { throw malformed("no boundary line") }
        var parts: [Part] = []
        var cursor = first.upperBound
        while true {
            // After a delimiter: "--" closes the form, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: lineBreak) else {
                throw malformed("a boundary line is not followed by a line break")
            }
            let start = cursor + lineBreak.count
            guard let next = body.range(of: lineBreak + delimiter, in: start..<body.endIndex) else {
                throw malformed("the last part is not closed by the boundary")
            }
            parts.append(try Self.part(body[start..<next.lowerBound], malformed: malformed))
            cursor = next.upperBound
        }
        self.parts = parts
    }

    /// One part: header lines, an empty line, the bytes.
    private static func part(_ bytes: Data, malformed: (String) -> APIError) throws(APIError) -> Part {
        guard let split = bytes.range(of: Data("\r\n\r\n".utf8)) else {
            // A part may have no headers at all: an empty line, then its bytes.
            guard bytes.starts(with: Data("\r\n".utf8)) else { throw malformed("a part's headers do not end") }
            return Part(body: Data(bytes.dropFirst(2)))
        }
        guard let head = String(data: bytes[bytes.startIndex..<split.lowerBound], encoding: .utf8) else {
            throw malformed("a part's headers are not UTF-8")
        }
        var part = Part(body: Data(bytes[split.upperBound...]))
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-type" { part.contentType = value }
            if name == "content-disposition" {
                part.name = parameter("name", in: value)
                part.fileName = parameter("filename", in: value)
            }
        }
        return part
    }

    /// A `key="value"` (or unquoted) parameter of a header value.
    private static func parameter(_ key: String, in value: String) -> String? {
        for field in value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let equals = field.firstIndex(of: "="), field[..<equals].lowercased() == key else { continue }
            var text = String(field[field.index(after: equals)...])
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
        return nil
    }
}
