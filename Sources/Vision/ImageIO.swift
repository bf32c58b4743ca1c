import Foundation

/// The file formats ``Image`` reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// PNG: 1/2/4/8/16-bit gray, gray + alpha, palette, RGB, RGBA.
    case png
    /// JPEG (baseline and progressive; gray, YCbCr, CMYK/YCCK).
    case jpeg
    /// Netpbm PGM/PPM (`P2`, `P3`, `P5`, `P6`).
    case pnm

    /// The format whose signature starts `bytes`, or `nil`.
    public static func detect(_ bytes: Data) -> ImageFormat? {
        let head = [UInt8](bytes.prefix(8))
        if head.count >= 8 && head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        if head.count >= 2 && head[0] == UInt8(ascii: "P") && [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(head[1]) {
            return .pnm
        }
        return nil
    }

    /// The format a file name's extension asks for (`png`, `jpg`/`jpeg`, `ppm`/`pgm`/`pnm`).
    public static func forExtension(_ pathExtension: String) -> ImageFormat? {
        switch pathExtension.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        case "ppm", "pgm", "pnm": return .pnm
        default: return nil
        }
    }
}

extension Image {
    /// Files declaring more pixels than this (100 megapixels) are refused before any pixel
    /// memory is allocated.
    public static let maximumPixelCount = 100_000_000

    /// Reads and decodes an image file; the format comes from the file's signature, not its
    /// name. JPEG EXIF orientation is applied unless `applyOrientation` is false.
    /// - Throws: ``ImageError`` naming the file when it cannot be read or decoded.
    public init(contentsOf url: URL, applyOrientation: Bool = true) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(.unreadable, source: url.path, "cannot read file (\(error.localizedDescription))")
        }
        try self.init(decoding: data, source: url.path, applyOrientation: applyOrientation)
    }

    /// Decodes PNG, JPEG or PNM bytes. `source` names the data in errors.
    /// - Throws: ``ImageError``.
    public init(decoding data: Data, source: String = "<memory>", applyOrientation: Bool = true) throws {
        guard let format = ImageFormat.detect(data) else {
            throw ImageError(.unknownFormat, source: source, "not a PNG, JPEG or PNM file (\(data.count) bytes)")
        }
        switch format {
        case .png: self = try PNGCodec.decode(data, source: source)
        case .jpeg: self = try JPEGCodec.decode(data, source: source, applyOrientation: applyOrientation)
        case .pnm: self = try PNMCodec.decode(data, source: source)
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
            throw ImageError(.unsupported, source: url.path, "unknown image extension '.\(url.pathExtension)' (use .png, .jpg or .ppm/.pgm)")
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
