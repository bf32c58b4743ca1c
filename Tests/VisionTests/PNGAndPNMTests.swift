import Foundation
import Tensor
import TestSupport
import Testing

@testable import Vision

@Suite("PNG and PNM")
struct PNGAndPNMTests {
    @Test(
        "PNG variants decode as PIL decodes them",
        arguments: [
            ("rgb", 3), ("rgba", 4), ("gray", 1), ("gray_alpha", 2), ("bilevel", 1), ("palette", 3),
            ("palette_alpha", 4), ("rgb16", 3), ("gray2", 1)
        ])
    func variants(name: String, channels: Int) throws {
        let expected = try Fixture("vision_png").tensor("png_\(name)")
        let image = try Image(contentsOf: Files.fixture("vision_png_\(name).png"))
        #expect(image.channels == channels && image.width == 7 && image.height == 5, "\(name): \(image)")
        #expect(maxDifference(image, expected) < 1e-6, "\(name)")
    }

    @Test("PNG round trip is exact at 8 and 16 bits", arguments: [1, 2, 3, 4])
    func pngRoundTrip(channels: Int) throws {
        var generator = RandomGenerator(seed: UInt64(channels))
        let count = 13 * 9 * channels
        let bytes = (0..<count).map { _ in Float(generator.next() % 256) / 255 }
        let image = Image(width: 13, height: 9, channels: channels, pixels: bytes)
        let decoded = try Image(decoding: try image.encoded(as: .png))
        #expect(decoded == image)

        let words = (0..<count).map { _ in Float(generator.next() % 65536) / 65535 }
        let deep = Image(width: 13, height: 9, channels: channels, pixels: words)
        let decoded16 = try Image(decoding: try deep.encoded(as: .png, bitDepth: 16))
        #expect(maxDifference(decoded16, deep.tensor()) < 1e-7)
    }

    @Test("PPM and PGM round trips are exact, binary and ASCII")
    func pnmRoundTrip() throws {
        var generator = RandomGenerator(seed: 9)
        for channels in [1, 3] {
            let image = Image(
                width: 11, height: 7, channels: channels,
                pixels: (0..<(77 * channels)).map { _ in Float(generator.next() % 256) / 255 })
            for ascii in [false, true] {
                let data = image.pnmData(ascii: ascii)
                let magic = String(decoding: data.prefix(2), as: UTF8.self)
                #expect(magic == (channels == 1 ? (ascii ? "P2" : "P5") : (ascii ? "P3" : "P6")))
                #expect(try Image(decoding: data) == image)
            }
        }
    }

    @Test("PNM with comments and 16-bit samples")
    func pnmDetails() throws {
        let text = "P2\n# a comment\n3 2 # width height\n1000\n0 500 1000\n250 750 1\n"
        let image = try Image(decoding: Data(text.utf8))
        #expect(image.channels == 1 && image.width == 3 && image.height == 2)
        #expect(image.pixels == [0, 0.5, 1, 0.25, 0.75, 0.001])
        var binary = Data("P5 2 1 65535\n".utf8)
        binary.append(contentsOf: [0xFF, 0xFF, 0x80, 0x00])
        let deep = try Image(decoding: binary)
        #expect(deep.pixels == [1, Float(0x8000) / 65535])
    }

    @Test("write(to:) picks the format from the extension")
    func writeFiles() throws {
        let dir = try Files.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = gradientImage(width: 12, height: 8)
        let quantized = try Image(decoding: try image.encoded(as: .png))
        for ext in ["png", "ppm"] {
            let url = dir.appendingPathComponent("out.\(ext)")
            try quantized.write(to: url)
            #expect(try Image(contentsOf: url) == quantized, "\(ext)")
        }
        #expect(throws: ImageError.self) { try image.write(to: dir.appendingPathComponent("out.bmp")) }
    }
}
