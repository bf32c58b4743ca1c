import Tensor
import TestSupport
import Testing
import Vision

@testable import FaceDetection

/// Stub stages matching the stub networks of `scripts/fixtures/mtcnn_pipeline_fixtures.py`:
/// each output is a fixed float32 function of single input samples.
enum StubStages {
    static func sample(_ x: [Float], _ shape: [Int], _ n: Int, _ c: Int, _ y: Int, _ xx: Int) -> Float {
        x[((n * shape[1] + c) * shape[2] + y) * shape[3] + xx]
    }

    static let stages = MTCNNStages(
        proposal: { input in
            let s = input.shape, x = input.scalars
            let h = (s[2] - 12) / 2 + 1, w = (s[3] - 12) / 2 + 1
            var probs = [Float](repeating: 0, count: 2 * h * w), reg = [Float](repeating: 0, count: 4 * h * w)
            for i in 0..<h {
                for j in 0..<w {
                    let v = sample(x, s, 0, 0, 6 + 2 * i, 6 + 2 * j)
                    let g = sample(x, s, 0, 1, 6 + 2 * i, 6 + 2 * j)
                    let b = sample(x, s, 0, 2, 6 + 2 * i, 6 + 2 * j)
                    let p1 = (v + 1) * 0.5, k = i * w + j
                    probs[k] = 1 - p1
                    probs[h * w + k] = p1
                    reg[k] = g * 0.1
                    reg[h * w + k] = b * -0.1
                    reg[2 * h * w + k] = g * 0.05
                    reg[3 * h * w + k] = v * 0.1
                }
            }
            return (Tensor(shape: [1, 2, h, w], values: probs), Tensor(shape: [1, 4, h, w], values: reg))
        },
        refine: { input in
            let s = input.shape, x = input.scalars
            var probs: [Float] = [], reg: [Float] = []
            for n in 0..<s[0] {
                let p1 = (sample(x, s, n, 1, 12, 12) + 1) * 0.5
                probs += [1 - p1, p1]
                reg += [
                    sample(x, s, n, 0, 3, 3) * 0.1, sample(x, s, n, 2, 5, 20) * 0.1,
                    sample(x, s, n, 0, 20, 5) * -0.1, sample(x, s, n, 1, 18, 18) * 0.1
                ]
            }
            return (Tensor(shape: [s[0], 2], values: probs), Tensor(shape: [s[0], 4], values: reg))
        },
        output: { input in
            let s = input.shape, x = input.scalars
            var probs: [Float] = [], reg: [Float] = [], marks: [Float] = []
            for n in 0..<s[0] {
                let t1 = (sample(x, s, n, 0, 24, 24) + 1) * 0.5
                let t2 = (sample(x, s, n, 1, 20, 28) + 1) * 0.5
                let t3 = (sample(x, s, n, 2, 30, 18) + 1) * 0.5
                let p1 = t1 * 0.9 + t2 * 0.07 + t3 * 0.03
                probs += [1 - p1, p1]
                reg += [
                    sample(x, s, n, 1, 6, 6) * 0.1, sample(x, s, n, 1, 6, 40) * 0.1,
                    sample(x, s, n, 2, 40, 6) * -0.1, sample(x, s, n, 0, 40, 40) * 0.1
                ]
                for k in 0..<10 { marks.append((sample(x, s, n, 2, 4 * k + 4, 4 * k + 6) + 1) * 0.5) }
            }
            return (
                Tensor(shape: [s[0], 2], values: probs), Tensor(shape: [s[0], 4], values: reg),
                Tensor(shape: [s[0], 10], values: marks)
            )
        })
}

@Suite("MTCNN pipeline against facenet-pytorch's detect_face with stub networks")
struct MTCNNPipelineTests {
    /// The fixture's uint8 image as an `Image` in `0...1`.
    func image(_ fixture: Fixture, _ name: String) throws -> Image {
        let t = try fixture.tensor("detect.\(name).image")
        return Image(width: t.shape[2], height: t.shape[1], channels: 3, pixels: t.scalars.map { $0 / 255 })
    }

    func detector(_ fixture: Fixture, _ name: String) throws -> MTCNN {
        MTCNN(
            stages: StubStages.stages, minimumFaceSize: Int(try fixture.number("detect.\(name).minsize")),
            thresholds: try fixture.tensor("detect.\(name).thresholds").scalars,
            scaleFactor: Float(try fixture.number("detect.\(name).factor")))
    }

    @Test("boxes, scores and points equal facenet-pytorch's bit for bit", arguments: ["a", "b", "c", "d"])
    func matchesFacenetPytorch(name: String) throws {
        let fixture = try Fixture.shared("mtcnn_pipeline")
        let faces = try detector(fixture, name).faces(in: image(fixture, name))
        let boxes = try fixture.tensor("detect.\(name).boxes").scalars
        let points = try fixture.tensor("detect.\(name).points").scalars
        #expect(faces.count == boxes.count / 5)
        #expect(faces.count > 0)
        for (k, face) in faces.enumerated() where 5 * k + 4 < boxes.count {
            #expect(
                face.corners == SIMD4(boxes[5 * k], boxes[5 * k + 1], boxes[5 * k + 2], boxes[5 * k + 3]), "face \(k)")
            #expect(face.score == boxes[5 * k + 4], "face \(k)")
            for j in 0..<5 {
                #expect(
                    face.points5[j] == Point(points[10 * k + 2 * j], points[10 * k + 2 * j + 1]), "face \(k) point \(j)"
                )
            }
        }
    }

    @Test("the box is facenet-pytorch's inclusive 1-based box as a continuous region")
    func boxConversion() {
        let face = DetectedFace(corners: SIMD4(11, 21, 40, 60), score: 0.9, points5: [])
        #expect(face.box == BoundingBox(x: 10, y: 20, width: 30, height: 40))
    }

    @Test("a gray image is searched as RGB with the channel copied")
    func grayscale() throws {
        let fixture = try Fixture.shared("mtcnn_pipeline")
        let rgb = try image(fixture, "a")
        let plane = Array(rgb.pixels[0..<(rgb.width * rgb.height)])
        let gray = Image(width: rgb.width, height: rgb.height, channels: 1, pixels: plane)
        let copied = Image(width: rgb.width, height: rgb.height, channels: 3, pixels: plane + plane + plane)
        let detector = try detector(fixture, "a")
        let expected = try detector.faces(in: copied)
        #expect(!expected.isEmpty)
        #expect(try detector.faces(in: gray) == expected)
    }

    @Test("an empty image throws; one smaller than the smallest face finds nothing")
    func emptyAndSmall() throws {
        let detector = MTCNN(stages: StubStages.stages)
        #expect(throws: MTCNNError.emptyImage(width: 0, height: 5)) {
            try detector.faces(in: Image(width: 0, height: 5, channels: 3))
        }
        #expect(try detector.faces(in: Image(width: 19, height: 300, channels: 3, fill: 1)).isEmpty)
        #expect(ImagePyramid(width: 19, height: 300, minimumFaceSize: 20, factor: 0.709).levels.isEmpty)
    }

    @Test("the pyramid follows detect_face's scales and sizes")
    func pyramid() {
        let p = ImagePyramid(width: 131, height: 97, minimumFaceSize: 20, factor: 0.709)
        // Python: m = 0.6; 97 * 0.6 = 58.2 -> 4 levels (58.2, 41.3, 29.3, 20.8, 14.7) -> 5 levels.
        #expect(
            p.levels.map(\.scale) == [
                0.6, 0.6 * 0.709, 0.6 * 0.709 * 0.709, 0.6 * 0.709 * 0.709 * 0.709,
                0.6 * 0.709 * 0.709 * 0.709 * 0.709
            ])
        #expect(p.levels.first == ImagePyramid.Level(scale: 0.6, width: 79, height: 59))
        #expect(MTCNN(stages: StubStages.stages).factor == 0.709)
    }
}
