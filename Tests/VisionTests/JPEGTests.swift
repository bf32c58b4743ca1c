import Foundation
import TestSupport
import Testing

@testable import Vision

@Suite("JPEG decoding")
struct JPEGTests {
    @Test("every IMM JPEG decodes to 640x480 RGB")
    func immDatabase() throws {
        let folder = Files.data("imm_face_db")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }
            .sorted()
        #expect(names.count == 240)
        let urls = names.map { folder.appendingPathComponent($0) }
        // Decode on both cores: the tests run in a debug build.
        let results = UncheckedSendableBox([String?](repeating: nil, count: urls.count))
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: urls.count, by: 2) {
                do {
                    let image = try Image(contentsOf: urls[i])
                    if image.width != 640 || image.height != 480 || image.channels != 3 {
                        results.set(i, "\(names[i]): \(image)")
                    }
                } catch {
                    results.set(i, "\(names[i]): \(error)")
                }
            }
        }
        let failures = results.values.compactMap { $0 }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("300-W full-size photos and dlib examples decode with PIL's sizes")
    func otherPhotos() throws {
        let fixture = try Fixture("vision_jpeg")
        let sizes = try fixture.tensor("other_sizes")
        var urls: [URL] = []
        for folder in ["300w_fullsize", "dlib_examples"] {
            let dir = Files.data(folder)
            urls += try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jpg") }
                .sorted()
                .map { dir.appendingPathComponent($0) }
        }
        #expect(urls.count == 20 && sizes.shape == [20, 2])
        for (i, url) in urls.enumerated() {
            let image = try Image(contentsOf: url)
            #expect(
                image.width == Int(sizes[i, 0]) && image.height == Int(sizes[i, 1]),
                "\(url.lastPathComponent): \(image)")
            #expect(image.channels == 3)
        }
    }

    @Test(
        "pixel values match PIL within 2 levels",
        arguments: [
            ("imm", "imm_face_db/01-1m.jpg"), ("fullsize", "300w_fullsize/2437602091_1.jpg"),
            ("dlib", "dlib_examples/2008_002470.jpg")
        ])
    func pixelsMatchPIL(key: String, path: String) throws {
        let fixture = try Fixture("vision_jpeg")
        let image = try Image(contentsOf: Files.data(path))
        let mean = try fixture.tensor("\(key)_mean"), coords = try fixture.tensor("\(key)_coords")
        let samples = try fixture.tensor("\(key)_samples")
        for c in 0..<3 {
            let ours = image.plane(c).reduce(0, +) / Float(image.pixelCount) * 255
            #expect(abs(ours - mean[c]) < 0.5, "channel \(c) mean \(ours) vs PIL \(mean[c])")
        }
        for i in 0..<10 {
            let x = Int(coords[i, 0]), y = Int(coords[i, 1])
            for c in 0..<3 {
                #expect(abs(image[x, y, c] * 255 - samples[i, c]) <= 2, "\(key) pixel (\(x), \(y)) channel \(c)")
            }
        }
    }

    @Test("grayscale JPEG decodes to one channel")
    func grayscale() throws {
        let expected = try Fixture("vision_special_jpeg").tensor("gray")
        let image = try Image(contentsOf: Files.fixture("vision_gray.jpg"))
        #expect(image.channels == 1)
        #expect(maxDifference(image, expected) <= 2.0 / 255)
    }

    @Test("Adobe CMYK JPEG converts to RGB as PIL does")
    func cmyk() throws {
        let expected = try Fixture("vision_special_jpeg").tensor("cmyk_as_rgb")
        let image = try Image(contentsOf: Files.fixture("vision_cmyk.jpg"))
        #expect(image.channels == 3)
        #expect(maxDifference(image, expected) <= 2.0 / 255)
    }

    @Test("EXIF orientation is applied as PIL's exif_transpose", arguments: 1...8)
    func exifOrientation(orientation: Int) throws {
        let expected = try Fixture("vision_special_jpeg").tensor("exif_\(orientation)")
        let url = Files.fixture("vision_exif_\(orientation).jpg")
        let image = try Image(contentsOf: url)
        #expect(maxDifference(image, expected) <= 3.0 / 255, "orientation \(orientation)")
        let raw = try Image(contentsOf: url, applyOrientation: false)
        #expect(raw.width == 8 && raw.height == 6)
    }

    @Test("JPEG encoding round trip stays close")
    func encodeRoundTrip() throws {
        var image = gradientImage(width: 40, height: 30)
        for y in 0..<30 { for x in 0..<40 { image[x, y, 2] = Float(x + y) / 68 } }
        let decoded = try Image(decoding: try image.encoded(as: .jpeg, quality: 95))
        #expect(decoded.width == 40 && decoded.height == 30 && decoded.channels == 3)
        let maxError = zip(decoded.pixels, image.pixels).map { abs($0 - $1) }.max()!
        #expect(maxError < 0.05, "max |difference| \(maxError)")
        let gray = try Image(decoding: try image.grayscale().encoded(as: .jpeg))
        #expect(gray.channels == 1)
    }
}

/// A lock-protected array that concurrent test workers write distinct slots of.
final class UncheckedSendableBox<T>: @unchecked Sendable {
    private var storage: [T]
    private let lock = NSLock()
    init(_ values: [T]) { storage = values }
    func set(_ index: Int, _ value: T) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }
    var values: [T] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
