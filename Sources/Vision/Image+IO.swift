import Foundation
import TensorIO

extension Image {
    /// Files declaring more pixels than this (100 megapixels) are refused before any pixel
    /// memory is allocated.
    public static let maximumPixelCount = 100_000_000

    /// Reads and decodes an image file; the format comes from the file's signature, not its
    /// name. JPEG EXIF orientation is applied unless `applyOrientation` is false.
    /// - Throws: ``ImageError`` naming the file when it cannot be read or decoded.
    public init(contentsOf url: URL, applyOrientation: Bool = true) throws {
        let data = try RegularFile.contents(of: url) {
            ImageError(.unreadable, source: url.path, "cannot read the image: \($0)")
        }
        try self.init(decoding: data, source: url.path, applyOrientation: applyOrientation)
    }

    /// Decodes PNG, JPEG or PNM bytes. `source` names the data in errors. An image declaring
    /// more than `maximumPixelCount` pixels (at most ``maximumPixelCount``, the default) is
    /// refused from its header, before any pixel memory is allocated: a server's budget for
    /// what clients send (a small file can declare a huge image).
    /// - Throws: ``ImageError`` (``ImageError/Reason/tooLarge`` over the budget).
    public init(
        decoding data: Data, source: String = "<memory>", applyOrientation: Bool = true,
        maximumPixelCount: Int = Image.maximumPixelCount
    ) throws {
        let budget = Swift.max(1, Swift.min(maximumPixelCount, Image.maximumPixelCount))
        guard let format = ImageFormat.detect(data) else {
            throw ImageError(.unknownFormat, source: source, "not a PNG, JPEG or PNM file (\(data.count) bytes)")
        }
        switch format {
        case .png: self = try PNGCodec.decode(data, source: source, maximumPixelCount: budget)
        case .jpeg:
            self = try JPEGCodec.decode(
                data, source: source, applyOrientation: applyOrientation, maximumPixelCount: budget)
        case .pnm: self = try PNMCodec.decode(data, source: source, maximumPixelCount: budget)
        }
    }

    /// The image encoded as `format`. PNG stores 8 bits per sample (or 16 with `bitDepth: 16`);
    /// JPEG stores gray or RGB (alpha is dropped) at `quality` 1...100; PNM stores 8-bit
    /// binary PGM (gray) or PPM (color, alpha dropped).
    /// - Throws: ``ImageError`` when the encoder fails.
    public func encoded(as format: ImageFormat, bitDepth: Int = 8, quality: Int = 92) throws -> Data {
        switch format {
        case .png: return try PNGCodec.encode(self, bitDepth: bitDepth)
        case .jpeg: return try JPEGCodec.encode(self, quality: quality)
        case .pnm: return PNMCodec.encode(self, ascii: false)
        }
    }

    /// Encodes the image in the format its extension names (`.png`, `.jpg`, `.ppm`/`.pgm`)
    /// and writes it atomically.
    /// - Throws: ``ImageError`` for an unknown extension or a failed write.
    public func write(to url: URL) throws {
        guard let format = ImageFormat.forExtension(url.pathExtension) else {
            throw ImageError(
                .unsupported, source: url.path,
                "unknown image extension '.\(url.pathExtension)' (use .png, .jpg or .ppm/.pgm)")
        }
        let data: Data
        do {
            data = try encoded(as: format)
        } catch let error as ImageError {
            throw ImageError(error.reason, source: url.path, error.detail)
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError(.unreadable, source: url.path, "cannot write file (\(error.localizedDescription))")
        }
    }
}
