import Tensor
import TestSupport
import Testing

@testable import Vision

@Suite("Grayscale, resize and colour adjustments against PIL and torchvision")
struct ProcessingTests {
    let fixture: Fixture
    let input: Image

    init() throws {
        fixture = try Fixture("vision_processing")
        input = Image(tensor: try fixture.tensor("input"))
    }

    @Test("grayscale is ITU-R 601 luma, as PIL's convert('L')")
    func grayscale() throws {
        let gray = input.grayscale()
        #expect(gray.channels == 1)
        #expect(maxDifference(gray, try fixture.tensor("gray_float")) < 1e-5)
        // PIL rounds to 8 bits: within one level.
        #expect(maxDifference(gray, try fixture.tensor("gray_pil")) <= 1.0 / 255 + 1e-6)
        #expect(Image(width: 1, height: 1, color: Color(red: 1, green: 0, blue: 0)).grayscale().pixels[0] == 0.299)
    }

    @Test("antialiased bilinear resize matches PIL", arguments: ["13x10", "50x37", "20x30", "8x6"])
    func resizeMatchesPIL(size: String) throws {
        let parts = size.split(separator: "x").map { Int($0)! }
        let resized = input.resized(width: parts[0], height: parts[1])
        #expect(maxDifference(resized, try fixture.tensor("resize_\(size)")) < 2e-5, "\(size)")
    }

    @Test(
        "plain bilinear resize matches torch interpolate(align_corners=False)",
        arguments: ["13x10", "50x37", "20x30", "8x6"])
    func resizeMatchesTorch(size: String) throws {
        let parts = size.split(separator: "x").map { Int($0)! }
        let resized = input.resized(width: parts[0], height: parts[1], antialias: false)
        #expect(maxDifference(resized, try fixture.tensor("resize_\(size)_noaa")) < 2e-5, "\(size)")
    }

    @Test("brightness, contrast and saturation match torchvision", arguments: ["0.5", "1.6"])
    func colorAdjustments(factor: String) throws {
        let f = Float(factor)!
        #expect(maxDifference(input.adjustingBrightness(f), try fixture.tensor("brightness_\(factor)")) < 1e-5)
        #expect(maxDifference(input.adjustingContrast(f), try fixture.tensor("contrast_\(factor)")) < 2e-3)
        #expect(maxDifference(input.adjustingSaturation(f), try fixture.tensor("saturation_\(factor)")) < 2e-3)
    }

    @Test("colour jitter is reproducible and leaves the size alone")
    func jitter() {
        let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4)
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        let first = jitter.apply(to: input, using: &a), second = jitter.apply(to: input, using: &b)
        #expect(first == second)
        #expect(first != input)
        #expect(first.pixels.allSatisfy { (0...1).contains($0) })
        var c = RandomGenerator(seed: 5)
        #expect(ColorJitter().apply(to: input, using: &c) == input)
    }

    @Test("nearest-neighbour enlargement repeats pixels")
    func nearest() {
        let tiny = Image(width: 2, height: 1, channels: 1, pixels: [0.25, 0.75])
        let big = tiny.resized(width: 6, height: 2, interpolation: .nearest)
        #expect(big.pixels == [0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75])
    }
}
