import CImageShims
import Foundation

/// JPEG decoding and encoding through libjpeg-turbo (via the `CImageShims` C target, which
/// turns libjpeg's longjmp errors into return codes).
enum JPEGCodec {
    static func decode(
        _ data: Data, source: String, applyOrientation: Bool, maximumPixelCount: Int
    ) throws -> Image {
        var raw = fk_jpeg_image()
        var message = [CChar](repeating: 0, count: Int(FK_ERROR_LENGTH))
        let status = data.withUnsafeBytes { bytes in
            fk_jpeg_decode(
                bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count,
                maximumPixelCount, &raw, &message)
        }
        defer {
            fk_free(raw.pixels)
            fk_free(raw.app1)
        }
        try ShimStatus(status: status, message: message).checkDecoded(source: source, format: "JPEG")
        let width = Int(raw.width), height = Int(raw.height), components = Int(raw.components)
        let samples = UnsafeBufferPointer(start: raw.pixels, count: width * height * components)
        var image: Image
        if components == 4 {
            image = Image(
                width: width, height: height, channels: 3,
                pixels: cmykToRGB(samples, count: width * height, inverted: raw.saw_adobe_marker != 0))
        } else {
            image = Image(
                width: width, height: height, channels: components,
                pixels: PixelPacking.planar(
                    fromInterleaved: samples, width: width, height: height, channels: components))
        }
        if applyOrientation, let app1 = raw.app1, raw.app1_length > 0 {
            let exif = UnsafeBufferPointer(start: app1, count: raw.app1_length)
            if let orientation = ExifOrientation(exifPayload: exif) {
                image = image.oriented(orientation)
            }
        }
        return image
    }

    /// CMYK to RGB as `R = (1 - C)(1 - K)`. Files with an Adobe marker store inverted samples
    /// (Photoshop's convention), i.e. `255 - C`.
    private static func cmykToRGB(_ samples: UnsafeBufferPointer<UInt8>, count n: Int, inverted: Bool) -> [Float] {
        [Float](unsafeUninitializedCapacity: 3 * n) { out, initialized in
            for i in 0..<n {
                var c = Float(samples[4 * i]), m = Float(samples[4 * i + 1])
                var y = Float(samples[4 * i + 2]), k = Float(samples[4 * i + 3])
                if !inverted {
                    c = 255 - c
                    m = 255 - m
                    y = 255 - y
                    k = 255 - k
                }
                let scale: Float = 1 / (255 * 255)
                out[i] = c * k * scale
                out[n + i] = m * k * scale
                out[2 * n + i] = y * k * scale
            }
            initialized = 3 * n
        }
    }

    static func encode(_ image: Image, quality: Int) throws -> Data {
        guard image.width > 0 && image.height > 0 else {
            throw ImageError(
                .unsupported, source: "<memory>", "cannot encode an empty \(image.width)x\(image.height) image")
        }
        let flat = image.removingAlpha()
        let bytes = PixelPacking.interleavedBytes(flat)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(FK_ERROR_LENGTH))
        let status = bytes.withUnsafeBufferPointer {
            fk_jpeg_encode(
                $0.baseAddress, Int32(flat.width), Int32(flat.height), Int32(flat.channels),
                Int32(Swift.min(Swift.max(quality, 1), 100)), &output, &size, &message)
        }
        defer { fk_free(output) }
        guard status == FK_OK, let output else {
            throw ShimStatus(status: status, message: message).encodingError
        }
        return Data(bytes: output, count: size)
    }
}
