import CImageShims

/// The C shim's answer to a decode or encode call, turned into an ``ImageError``.
struct ShimStatus {
    let status: fk_status
    /// The shim's NUL-terminated message buffer.
    let message: [CChar]

    /// The message as text.
    var detail: String { String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }

    /// Throws the error a failed decode of `format` data from `source` deserves.
    func checkDecoded(source: String, format: String) throws {
        switch status {
        case FK_OK: return
        case FK_TRUNCATED: throw ImageError(.truncated, source: source, detail)
        case FK_TOO_LARGE: throw ImageError(.tooLarge, source: source, detail)
        default: throw ImageError(.corrupt, source: source, detail.isEmpty ? "invalid \(format) data" : detail)
        }
    }

    /// The error of a failed encode.
    var encodingError: ImageError { ImageError(.encodingFailed, source: "<memory>", detail) }
}
