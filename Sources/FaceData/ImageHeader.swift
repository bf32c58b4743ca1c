import Foundation
import TensorIO
import Vision

/// Reads an image's size from its JPEG or PNG header without decoding the pixels, so
/// annotations can be checked against the image cheaply.
enum ImageHeader {
    /// `(width, height)` of the JPEG or PNG at `url`; throws ``FaceDataError`` naming the file.
    static func size(of url: URL) throws -> (width: Int, height: Int) {
        if let problem = RegularFile.problem(at: url) {
            throw FaceDataError(.unreadable, file: url.path, "cannot read the image: \(problem)")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FaceDataError(
                .unreadable, file: url.path,
                "cannot open the image (\(FileManager.default.fileExists(atPath: url.path) ? "unreadable" : "no such file"))"
            )
        }
        defer { try? handle.close() }
        // A JPEG's SOF marker usually comes within the first few kilobytes; read more if needed.
        var data = (try? handle.read(upToCount: 65_536)) ?? Data()
        if let size = parse(data, file: url.path, complete: false) { return size }
        // Then at most the limit an image may declare (a regular file, so the read ends).
        data += (try? handle.read(upToCount: 4 * Image.maximumPixelCount)) ?? Data()
        if let size = parse(data, file: url.path, complete: true) { return size }
        throw FaceDataError(.badImage, file: url.path, "expected a JPEG or PNG header with the image size")
    }

    static func parse(_ data: Data, file: String, complete: Bool) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }
        func u32(_ i: Int) -> Int { u16(i) << 16 | u16(i + 2) }
        if bytes.count >= 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            let w = u32(16), h = u32(20)
            return w > 0 && h > 0 ? (w, h) : nil
        }
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i += 2
                continue
            }
            let length = u16(i + 2)
            let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isSOF {
                guard i + 9 <= bytes.count else { return nil }
                let h = u16(i + 5), w = u16(i + 7)
                return w > 0 && h > 0 ? (w, h) : nil
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // scan data before any frame header
            i += 2 + length
        }
        return nil
    }
}
