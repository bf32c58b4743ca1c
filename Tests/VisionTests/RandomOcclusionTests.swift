import Tensor
import Testing

@testable import Vision

@Suite("Random occlusion paints one rectangle of one colour")
struct RandomOcclusionTests {
    /// A 40 x 30 image whose pixels are all distinct and away from any drawn colour's exact value.
    static func ramp(channels: Int) -> Image {
        let count = 40 * 30 * channels
        return Image(
            width: 40, height: 30, channels: channels, pixels: (0..<count).map { 0.1 + 0.8 * Float($0) / Float(count) })
    }

    /// The bounding box (x0, y0, x1, y1 exclusive) of the pixels that differ, or nil.
    static func changedBox(_ a: Image, _ b: Image) -> (Int, Int, Int, Int)? {
        var box: (Int, Int, Int, Int)?
        for y in 0..<a.height {
            for x in 0..<a.width where (0..<a.channels).contains(where: { a[x, y, $0] != b[x, y, $0] }) {
                let old = box ?? (x, y, x + 1, y + 1)
                box = (min(old.0, x), min(old.1, y), max(old.2, x + 1), max(old.3, y + 1))
            }
        }
        return box
    }

    @Test("probability 0 changes nothing and draws nothing")
    func none() {
        var generator = RandomGenerator(seed: 3), untouched = RandomGenerator(seed: 3)
        let image = Self.ramp(channels: 3)
        #expect(RandomOcclusion().apply(to: image, using: &generator) == image)
        #expect(generator.next() == untouched.next())
    }

    @Test(
        "with probability 1: a filled box within maxSize, one colour per channel, the rest untouched",
        arguments: [1, 3])
    func paintsOneBox(channels: Int) throws {
        let image = Self.ramp(channels: channels)
        let occlusion = RandomOcclusion(probability: 1, maxSize: 0.4)
        var painted = 0
        for seed in 0..<40 {
            var generator = RandomGenerator(seed: UInt64(seed))
            let result = occlusion.apply(to: image, using: &generator)
            // a box under one pixel centre
            guard let (x0, y0, x1, y1) = Self.changedBox(image, result) else { continue }
            painted += 1
            #expect(
                x1 - x0 <= 17 && y1 - y0 <= 13,
                "seed \(seed): box \(x1 - x0) x \(y1 - y0) exceeds 0.4 of 40 x 30 (+1 px rounding)")
            for c in 0..<channels {
                let colour = result[x0, y0, c]
                #expect((0...1).contains(colour))
                for y in y0..<y1 {
                    for x in x0..<x1 { #expect(result[x, y, c] == colour, "seed \(seed): the box is not one colour") }
                }
            }
            if channels == 3 {
                #expect(result[x0, y0, 0] != result[x0, y0, 1] || result[x0, y0, 1] != result[x0, y0, 2])
            }
        }
        #expect(painted >= 30, "only \(painted) of 40 draws painted a visible box")
    }

    @Test("the share of occluded images follows the probability")
    func frequency() {
        let image = Self.ramp(channels: 1)
        let occlusion = RandomOcclusion(probability: 0.3, maxSize: 1)
        var generator = RandomGenerator(seed: 11)
        let changed = (0..<400).filter { _ in occlusion.apply(to: image, using: &generator) != image }.count
        #expect((90...150).contains(changed), "\(changed) of 400 occluded at probability 0.3")
    }
}
