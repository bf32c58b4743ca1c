import Foundation
import Tensor
import TestSupport
import Testing

@testable import Vision

@Suite("Corrupt and truncated files")
struct CorruptFileTests {
    /// Decodes `data`; returns nil on success, or the thrown error. Any crash fails the run.
    func outcome(_ data: Data, source: String = "fuzz") -> ImageError? {
        do {
            _ = try Image(decoding: data, source: source)
            return nil
        } catch let error as ImageError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    /// 200 seeded mutations: truncations, flipped bytes, overwritten runs and inserted bytes.
    func fuzz(_ original: Data, seed: UInt64) -> (thrown: Int, decoded: Int) {
        var generator = RandomGenerator(seed: seed)
        var thrown = 0, decoded = 0
        let bytes = [UInt8](original)
        for round in 0..<200 {
            var mutated = bytes
            switch round % 4 {
            case 0:
                mutated = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            case 1:
                for _ in 0..<(1 + Int(generator.next() % 8)) {
                    mutated[Int(generator.next() % UInt64(mutated.count))] ^= UInt8(1 << (generator.next() % 8))
                }
            case 2:
                let start = Int(generator.next() % UInt64(mutated.count))
                for i in start..<min(mutated.count, start + 1 + Int(generator.next() % 32)) {
                    mutated[i] = UInt8(generator.next() % 256)
                }
            default:
                let at = Int(generator.next() % UInt64(mutated.count))
                mutated.insert(
                    contentsOf: (0..<(1 + Int(generator.next() % 16))).map { _ in UInt8(generator.next() % 256) },
                    at: at)
            }
            if outcome(Data(mutated)) == nil { decoded += 1 } else { thrown += 1 }
        }
        return (thrown, decoded)
    }

    @Test("fuzzed JPEGs throw or decode, never crash")
    func fuzzJPEG() throws {
        for name in ["vision_gray.jpg", "vision_cmyk.jpg", "vision_exif_6.jpg"] {
            let result = fuzz(try Files.fixtureData(name), seed: 1)
            #expect(result.thrown + result.decoded == 200)
            #expect(result.thrown > 20, "\(name): only \(result.thrown) of 200 mutations were rejected")
        }
    }

    @Test("fuzzed PNGs throw or decode, never crash")
    func fuzzPNG() throws {
        let real = try Image(contentsOf: Files.fixture("vision_gray.jpg"))
        for data in [
            try real.encoded(as: .png), try Files.fixtureData("vision_png_palette_alpha.png"),
            try Files.fixtureData("vision_png_rgb16.png")
        ] {
            let result = fuzz(data, seed: 2)
            #expect(result.thrown > 100, "only \(result.thrown) of 200 mutations were rejected")
        }
    }

    @Test("fuzzed PPMs throw or decode, never crash")
    func fuzzPNM() throws {
        let real = try Image(contentsOf: Files.fixture("vision_gray.jpg")).rgb()
        for data in [real.pnmData(), real.pnmData(ascii: true)] {
            let result = fuzz(data, seed: 3)
            #expect(result.thrown > 20, "only \(result.thrown) of 200 mutations were rejected")
        }
    }

    @Test("truncation is reported with the file name")
    func truncatedNamesFile() throws {
        let jpeg = try Files.fixtureData("vision_cmyk.jpg")
        let error = outcome(jpeg.prefix(jpeg.count * 2 / 3), source: "face.jpg")
        #expect(error?.reason == .truncated)
        #expect(error?.description.hasPrefix("face.jpg: truncated") == true, "\(String(describing: error))")

        let png = try Files.fixtureData("vision_png_rgb.png")
        #expect(outcome(png.prefix(png.count - 20), source: "face.png")?.reason == .truncated)
        #expect(outcome(Image(width: 4, height: 4, channels: 3).pnmData().prefix(30))?.reason == .truncated)
    }

    @Test("unknown bytes and missing files throw")
    func unknownAndMissing() {
        #expect(outcome(Data("hello, world".utf8))?.reason == .unknownFormat)
        #expect(outcome(Data())?.reason == .unknownFormat)
        #expect(throws: ImageError.self) { try Image(contentsOf: URL(fileURLWithPath: "/nonexistent/face.png")) }
    }

    @Test("absurd declared sizes are refused before allocation")
    func absurdSizes() throws {
        // PNM: 200000 x 200000.
        #expect(outcome(Data("P6 200000 200000 255\n".utf8))?.reason == .tooLarge)
        // JPEG: patch the SOF0 frame size to 65000 x 65000.
        var jpeg = [UInt8](try Files.fixtureData("vision_gray.jpg"))
        var i = 2
        while i + 9 < jpeg.count {
            if jpeg[i] == 0xFF && (jpeg[i + 1] == 0xC0 || jpeg[i + 1] == 0xC2) {
                jpeg[i + 5] = 0xFD
                jpeg[i + 6] = 0xE8
                jpeg[i + 7] = 0xFD
                jpeg[i + 8] = 0xE8
                break
            }
            i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
        }
        #expect(outcome(Data(jpeg))?.reason == .tooLarge)
        // PNG: IHDR of 60000 x 60000 with a valid CRC.
        let png = TestSupport.png(
            [UInt8](try Files.fixtureData("vision_png_gray.png")), declaringWidth: 60000, height: 60000)
        #expect(outcome(Data(png))?.reason == .tooLarge)
    }

    @Test("a caller's pixel budget refuses larger images of every format from the header, and admits the rest")
    func pixelBudget() throws {
        let image = Image(width: 40, height: 30, channels: 3, fill: 0.5)
        for format in [ImageFormat.png, .jpeg, .pnm] {
            let data = try image.encoded(as: format)
            #expect(throws: Never.self) { try Image(decoding: data, maximumPixelCount: 1200) }
            #expect {
                try Image(decoding: data, source: "upload", maximumPixelCount: 1199)
            } throws: { error in
                guard let error = error as? ImageError else { return false }
                return error.reason == .tooLarge && "\(error)".contains("40x30") && "\(error)".contains("upload")
            }
        }
    }
}
