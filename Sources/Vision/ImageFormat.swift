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
        if head.count >= 2 && head[0] == UInt8(ascii: "P")
            && [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(head[1])
        {
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
