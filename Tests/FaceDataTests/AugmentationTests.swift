import Foundation
import Tensor
import TestSupport
import Testing
import Vision

@testable import FaceData

@Suite("Augmentation moves keypoints with the pixels")
struct AugmentationTests {
    /// A black gray image with Gaussian dots (sigma 1.2 px) at `dots`, brightness `levels`.
    static func dotImage(width: Int, height: Int, dots: [Point], levels: [Float]) -> Image {
        var image = Image(width: width, height: height, channels: 1)
        for y in 0..<height {
            for x in 0..<width {
                let c = Point(Float(x) + 0.5, Float(y) + 0.5)
                var v: Float = 0
                for (p, level) in zip(dots, levels) {
                    let d = c - p
                    v = max(v, level * expf(-(d * d).sum() / (2 * 1.2 * 1.2)))
                }
                image[x, y, 0] = v
            }
        }
        return image
    }

    /// The center of the brightest pixel of channel 0 of an input tensor `[1, H, W]`.
    static func brightest(_ input: Tensor) -> Point {
        let w = input.shape[2]
        let values = input.scalars
        let i = values.indices.max { values[$0] < values[$1] }!
        return Point(Float(i % w) + 0.5, Float(i / w) + 0.5)
    }

    /// A two-dot "face" written as PNG: point 0 bright, point 1 dim, mirror partners.
    static func twoDotFace(in folder: TempFolder) throws -> FaceAnnotation {
        let dots = [Point(70.3, 52.6), Point(101.8, 61.2)]
        let image = dotImage(width: 180, height: 120, dots: dots, levels: [1, 0.55])
        let url = folder.url.appendingPathComponent("dots.png")
        try image.write(to: url)
        return FaceAnnotation(
            image: url, keypoints: dots, box: BoundingBox(x: 60, y: 40, width: 50, height: 30),
            identity: "dots.png", imageWidth: 180, imageHeight: 120)
    }

    @Test(
        "draw a dot, augment (rotate, shift, scale, flip, jitter), the brightest pixel is at the mapped point",
        arguments: [CropMode.wholeImage, .faceBox(enlargement: 2.5)], [CachePolicy.none, .memory()])
    func dotFollowsPoint(crop: CropMode, cache: CachePolicy) throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let face = try Self.twoDotFace(in: folder)
        var config = FaceDatasetConfiguration(
            input: InputFormat(width: 120, height: 96, pixels: .unit), crop: crop,
            mirrorMap: MirrorMap([1, 0]), cache: cache)
        config.augmentation = Augmentation(
            rotation: 25, shift: 0.08, scale: 0.85...1.25, flipProbability: 0.5,
            colorJitter: ColorJitter(brightness: 0.2, contrast: 0.2))
        let dataset = try FaceDataset(faces: [face], configuration: config)
        var flips = 0
        for seed in 0..<16 {
            var generator = RandomGenerator(seed: UInt64(seed))
            let sample = try dataset.sample(at: 0, using: &generator)
            let bright = Self.brightest(sample.input)
            // Point 0 is the bright dot; after a mirror it is reordered to index 1.
            let expected = sample.info.flipped ? sample.keypoints[1] : sample.keypoints[0]
            #expect(
                simd_distance(bright, expected) <= 1.0,
                "seed \(seed): brightest \(bright), expected \(expected), \(sample.info)")
            if sample.info.flipped { flips += 1 }
            // Back in the photo, the points are where they were drawn, in the original order.
            let back = sample.info.originalKeypoints(fromPrediction: sample.target.scalars)
            #expect(
                simd_distance(back[0], face.keypoints[0]) < 1e-2 && simd_distance(back[1], face.keypoints[1]) < 1e-2)
        }
        #expect(flips > 2 && flips < 14)
    }

    @Test("the sample transform is the base transform followed by the drawn augmentation (one map)")
    func oneTransform() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let face = try Self.twoDotFace(in: folder)
        var config = FaceDatasetConfiguration(
            input: InputFormat(width: 64, height: 64), crop: .faceBox(enlargement: 1.4),
            mirrorMap: MirrorMap([1, 0]), cache: .none)
        config.augmentation = .standard
        let dataset = try FaceDataset(faces: [face], configuration: config)
        var g1 = RandomGenerator(seed: 99), g2 = RandomGenerator(seed: 99)
        let sample = try dataset.sample(at: 0, using: &g1)
        let draw = config.augmentation.draw(using: &g2)
        let expected = dataset.baseTransform(at: 0).then(draw.transform(width: 64, height: 64))
        #expect(sample.info.transform.isApproximatelyEqual(to: expected, tolerance: 1e-4))
        #expect(sample.info.flipped == draw.flip)
        // The base maps the square 1.4x box onto the input.
        let region = dataset.cropRegion(at: 0)
        #expect(region.width == 50 * 1.4 && region.height == 50 * 1.4)
        #expect(simd_distance(dataset.baseTransform(at: 0).apply(region.center), Point(32, 32)) < 1e-4)
    }

    @Test("occlusion paints over the warped input after the geometry is drawn: same points, same transform")
    func occlusionLeavesPoints() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let face = try Self.twoDotFace(in: folder)
        var config = FaceDatasetConfiguration(
            input: InputFormat(width: 64, height: 64, pixels: .unit), crop: .faceBox(enlargement: 2.5),
            mirrorMap: MirrorMap([1, 0]), cache: .none)
        config.augmentation = .standard
        let plain = try FaceDataset(faces: [face], configuration: config)
        config.augmentation.occlusion = RandomOcclusion(probability: 1)
        let occluded = try FaceDataset(faces: [face], configuration: config)
        var differing = 0
        for seed in 0..<8 {
            var g1 = RandomGenerator(seed: UInt64(seed)), g2 = RandomGenerator(seed: UInt64(seed))
            let a = try plain.sample(at: 0, using: &g1), b = try occluded.sample(at: 0, using: &g2)
            #expect(a.target == b.target && a.info.transform == b.info.transform && a.info.flipped == b.info.flipped)
            let changed = zip(a.input.scalars, b.input.scalars).filter { $0 != $1 }.count
            #expect(changed <= 26 * 26, "seed \(seed): \(changed) pixels changed, more than a 0.4 x 0.4 box (+1 px)")
            if changed > 0 { differing += 1 }
        }
        #expect(differing >= 6)
    }

    @Test("augmentation draws: ranges, center fixed under rotation and scale, mirror x -> W - x")
    func draws() {
        let augmentation = Augmentation(rotation: 15, shift: 0.1, scale: 0.9...1.1, flipProbability: 0.5)
        var generator = RandomGenerator(seed: 3)
        var flips = 0
        for _ in 0..<200 {
            let d = augmentation.draw(using: &generator)
            #expect(
                abs(d.rotation) <= 15 && abs(d.shift.x) <= 0.1 && abs(d.shift.y) <= 0.1 && (0.9...1.1).contains(d.scale)
            )
            if d.flip { flips += 1 }
        }
        #expect(flips > 70 && flips < 130)
        let center = Point(50, 40)
        let t = AugmentationDraw(rotation: 30, scale: 1.3).transform(width: 100, height: 80)
        #expect(simd_distance(t.apply(center), center) < 1e-4)
        let mirror = AugmentationDraw(flip: true).transform(width: 100, height: 80)
        #expect(mirror.apply(Point(10.5, 7)) == Point(89.5, 7))
        let shifted = AugmentationDraw(shift: SIMD2(0.1, -0.25)).transform(width: 100, height: 80)
        #expect(shifted.apply(center) == Point(60, 20))
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        #expect(Augmentation.standard.draw(using: &a) == Augmentation.standard.draw(using: &b))
        var none = RandomGenerator(seed: 5)
        #expect(Augmentation.none.draw(using: &none).transform(width: 10, height: 10) == Affine2D.identity)
    }

    @Test("IMM flip on real data: mirrored positions and eye labels swap (58-point map)")
    func immFlip() throws {
        var config = FaceDatasetConfiguration.immFace(width: 160, height: 120)
        config.cache = .none
        let plain = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        let flipped = try plain.with(augmentation: Augmentation(flipProbability: 1))
        let a = try plain.sample(at: 0), b = try flipped.sample(at: 0)
        #expect(b.info.flipped && !a.info.flipped)
        let perm = MirrorMap.imm58.permutation
        for i in 0..<58 {
            let expected = Point(160 - a.keypoints[perm[i]].x, a.keypoints[perm[i]].y)
            #expect(simd_distance(b.keypoints[i], expected) < 1e-3)
        }
        // After the flip, point 13 (the eye on the image's right) is again on the image's right.
        #expect(b.keypoints[13].x > 80 && a.keypoints[13].x > 80)
        #expect(b.keypoints[21].x < 80 && a.keypoints[21].x < 80)
        // And the image is the mirror of the unflipped one.
        let ai = a.input.scalars, bi = b.input.scalars
        var worst: Float = 0
        for y in 0..<120 { for x in 0..<160 { worst = max(worst, abs(ai[y * 160 + x] - bi[y * 160 + 159 - x])) } }
        #expect(worst < 1e-4)
    }

    @Test("iBUG flip on a real 300-W face: outer eye corners 36 and 45 trade places")
    func ibugFlip() throws {
        var skipped: [SkippedSample] = []
        let faces = Array(try FaceAnnotations.imglab(SharedData.labels, skipped: &skipped).prefix(1))
        var config = FaceDatasetConfiguration.ibug(size: 96)
        config.cache = .none
        let plain = try FaceDataset(faces: faces, configuration: config)
        let flipped = try plain.with(augmentation: Augmentation(flipProbability: 1))
        let a = try plain.sample(at: 0), b = try flipped.sample(at: 0)
        #expect(simd_distance(b.keypoints[36], Point(96 - a.keypoints[45].x, a.keypoints[45].y)) < 1e-3)
        #expect(b.keypoints[36].x < b.keypoints[45].x && a.keypoints[36].x < a.keypoints[45].x)
        let back = b.info.originalKeypoints(fromPrediction: b.target.scalars)
        #expect(zip(back, faces[0].keypoints).map { simd_distance($0, $1) }.max()! < 1e-3)
    }
}
