import CImageShims
import Foundation

/// PNG decoding and encoding through libpng (via the `CImageShims` C target). Decoding
/// expands palettes and transparency chunks to RGB(A), low bit depths to 8 bits, and keeps
/// 16-bit precision; no gamma correction is applied (as PIL and OpenCV).
enum PNGCodec {
    static func decode(_ data: Data, source: String, maximumPixelCount: Int) throws -> Image {
        var raw = fk_png_image()
        var message = [CChar](repeating: 0, count: Int(FK_ERROR_LENGTH))
        let status = data.withUnsafeBytes { bytes in
            fk_png_decode(
                bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count,
                maximumPixelCount, &raw, &message)
        }
        defer { fk_free(raw.pixels) }
        try ShimStatus(status: status, message: message).checkDecoded(source: source, format: "PNG")
        let width = Int(raw.width), height = Int(raw.height), channels = Int(raw.channels)
        let count = width * height * channels
        let pixels: [Float]
        if raw.bit_depth == 16 {
            let words = UnsafeRawPointer(raw.pixels!).bindMemory(to: UInt16.self, capacity: count)
            pixels = PixelPacking.planar(
                fromInterleaved16: UnsafeBufferPointer(start: words, count: count),
                width: width, height: height, channels: channels)
        } else {
            pixels = PixelPacking.planar(
                fromInterleaved: UnsafeBufferPointer(start: raw.pixels, count: count),
                width: width, height: height, channels: channels)
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    static func encode(_ image: Image, bitDepth: Int) throws -> Data {
        guard image.width > 0 && image.height > 0 else {
            throw ImageError(
                .unsupported, source: "<memory>", "cannot encode an empty \(image.width)x\(image.height) image")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw ImageError(.unsupported, source: "<memory>", "PNG bit depth must be 8 or 16, got \(bitDepth)")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(FK_ERROR_LENGTH))
        let status: fk_status
        if bitDepth == 16 {
            let words = PixelPacking.interleavedWords(image)
            status = words.withUnsafeBytes {
                fk_png_encode(
                    $0.bindMemory(to: UInt8.self).baseAddress, Int32(image.width), Int32(image.height),
                    Int32(image.channels), 16, &output, &size, &message)
            }
        } else {
            let bytes = PixelPacking.interleavedBytes(image)
            status = bytes.withUnsafeBufferPointer {
                fk_png_encode(
                    $0.baseAddress, Int32(image.width), Int32(image.height),
                    Int32(image.channels), 8, &output, &size, &message)
            }
        }
        defer { fk_free(output) }
        guard status == FK_OK, let output else {
            throw ShimStatus(status: status, message: message).encodingError
        }
        return Data(bytes: output, count: size)
    }
}
