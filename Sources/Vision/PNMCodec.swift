import Foundation

/// Netpbm PGM/PPM reading (`P2`, `P3`, `P5`, `P6`; maxval up to 65535) and writing.
enum PNMCodec {
    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0
        let source: String

        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

        /// Skips whitespace and `#` comments, then reads a decimal number.
        mutating func number(_ what: String) throws -> Int {
            while offset < bytes.count {
                if isSpace(bytes[offset]) {
                    offset += 1
                } else if bytes[offset] == UInt8(ascii: "#") {
                    while offset < bytes.count && bytes[offset] != 0x0A && bytes[offset] != 0x0D { offset += 1 }
                } else {
                    break
                }
            }
            guard offset < bytes.count else {
                throw ImageError(.truncated, source: source, "file ends before the \(what)")
            }
            var value = 0, digits = 0
            while offset < bytes.count, bytes[offset] >= 0x30, bytes[offset] <= 0x39 {
                value = value * 10 + Int(bytes[offset] - 0x30)
                digits += 1
                offset += 1
                guard value <= 1 << 31 else { throw ImageError(.corrupt, source: source, "\(what) is too large") }
            }
            guard digits > 0 else {
                throw ImageError(.corrupt, source: source, "expected a number for the \(what) at byte \(offset)")
            }
            return value
        }
    }

    static func decode(_ data: Data, source: String, maximumPixelCount: Int) throws -> Image {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
                throw ImageError(.unknownFormat, source: source, "not a PNM file")
            }
            let kind = bytes[1]
            let ascii = kind == UInt8(ascii: "2") || kind == UInt8(ascii: "3")
            let channels = (kind == UInt8(ascii: "3") || kind == UInt8(ascii: "6")) ? 3 : 1
            guard [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(kind) else {
                throw ImageError(
                    .unsupported, source: source, "unsupported PNM type P\(Character(UnicodeScalar(kind)))")
            }
            var parser = Parser(bytes: bytes, offset: 2, source: source)
            let width = try parser.number("width")
            let height = try parser.number("height")
            let maxValue = try parser.number("maximum value")
            guard width > 0, height > 0 else {
                throw ImageError(.corrupt, source: source, "invalid size \(width)x\(height)")
            }
            guard width <= maximumPixelCount / height else {
                throw ImageError(
                    .tooLarge, source: source,
                    "declared size \(width)x\(height) exceeds the limit of \(maximumPixelCount) pixels")
            }
            guard (1...65535).contains(maxValue) else {
                throw ImageError(.corrupt, source: source, "maximum value \(maxValue) is outside 1...65535")
            }
            let count = width * height * channels
            let maximum = Float(maxValue)
            // Check that the data can hold `count` samples before allocating them, so a short
            // file declaring a huge size is refused without a huge allocation.
            if ascii {
                // Each sample is at least one digit preceded by whitespace.
                guard bytes.count - parser.offset >= 2 * count else {
                    throw ImageError(
                        .truncated, source: source,
                        "\(bytes.count - parser.offset) bytes cannot hold the \(count) samples of a \(width)x\(height) image"
                    )
                }
            }
            var samples: [Float] = []
            if ascii {
                samples = [Float](repeating: 0, count: count)
                for i in 0..<count {
                    let v = try parser.number("sample \(i)")
                    guard v <= maxValue else {
                        throw ImageError(.corrupt, source: source, "sample \(v) exceeds the maximum value \(maxValue)")
                    }
                    samples[i] = Float(v) / maximum
                }
            } else {
                guard parser.offset < bytes.count, parser.isSpace(bytes[parser.offset]) else {
                    throw ImageError(.truncated, source: source, "missing whitespace before the pixel data")
                }
                var offset = parser.offset + 1
                let bytesPerSample = maxValue > 255 ? 2 : 1
                guard bytes.count - offset >= count * bytesPerSample else {
                    throw ImageError(
                        .truncated, source: source,
                        "pixel data has \(bytes.count - offset) bytes, expected \(count * bytesPerSample)")
                }
                samples = [Float](repeating: 0, count: count)
                for i in 0..<count {
                    let v = bytesPerSample == 1 ? Int(bytes[offset]) : Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                    offset += bytesPerSample
                    guard v <= maxValue else {
                        throw ImageError(.corrupt, source: source, "sample \(v) exceeds the maximum value \(maxValue)")
                    }
                    samples[i] = maxValue == 255 ? PixelPacking.byteScale[v] : Float(v) / maximum
                }
            }
            // Interleaved to planar.
            if channels == 1 { return Image(width: width, height: height, channels: 1, pixels: samples) }
            let n = width * height
            var planar = [Float](repeating: 0, count: count)
            for i in 0..<n {
                for c in 0..<channels { planar[c * n + i] = samples[channels * i + c] }
            }
            return Image(width: width, height: height, channels: channels, pixels: planar)
        }
    }

    static func encode(_ image: Image, ascii: Bool) -> Data {
        let flat = image.removingAlpha()
        let magic = flat.channels == 1 ? (ascii ? "P2" : "P5") : (ascii ? "P3" : "P6")
        var data = Data("\(magic)\n\(flat.width) \(flat.height)\n255\n".utf8)
        let bytes = PixelPacking.interleavedBytes(flat)
        if ascii {
            var text = ""
            text.reserveCapacity(bytes.count * 4)
            let perRow = flat.width * flat.channels
            for (i, b) in bytes.enumerated() {
                text += String(b)
                text += (i + 1) % perRow == 0 ? "\n" : " "
            }
            data.append(contentsOf: Array(text.utf8))
        } else {
            data.append(contentsOf: bytes)
        }
        return data
    }
}

extension Image {
    /// The image as an 8-bit PGM (gray) or PPM (color) file; alpha is dropped. `ascii` writes
    /// the plain `P2`/`P3` variants instead of binary `P5`/`P6`.
    public func pnmData(ascii: Bool = false) -> Data { PNMCodec.encode(self, ascii: ascii) }
}
