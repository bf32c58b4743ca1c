import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// What `evaluate` and `calibrate` do, called through the library: the faces of a source for a
/// model (each check once, with one message) and the evaluation run.
@Suite struct EvaluationSourceTests {
    static let labels = TestData.root.appendingPathComponent("300w_subset/labels.xml")
    static let imm = TestData.root.appendingPathComponent("imm_face_db")

    @Test(arguments: [0, 1, 1.5, -0.1, Double.nan])
    func validationFractionOutsideTheOpenUnitIntervalIsRefused(_ fraction: Double) {
        #expect { _ = try ValidationSplit(fraction: fraction, seed: 0) } throws: {
            "\($0)".contains("(--val-fraction) must be between 0 and 1 (exclusive)")
        }
    }

    /// The first `count` images of the 300-W labels, as an imglab file of their own (reading
    /// all 1207 faces takes a debug build 17 s; the split is the same code for any count).
    static func firstLabels(_ count: Int, in folder: URL) throws -> URL {
        let text = try String(contentsOf: labels, encoding: .isoLatin1)
        var end = text.startIndex
        for _ in 0..<count { end = try #require(text.range(of: "</image>", range: end..<text.endIndex)).upperBound }
        let base = labels.deletingLastPathComponent().path + "/"
        let subset =
            text[..<end].replacingOccurrences(of: "file='", with: "file='" + base) + "\n</images>\n</dataset>\n"
        let url = folder.appendingPathComponent("labels.xml")
        try Data(subset.utf8).write(to: url)
        return url
    }

    @Test func partsOfTheSplitAreTheTrainingRunsSplit() throws {
        let folder = try CommandRunner.temporaryDirectory("split")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = try Self.firstLabels(200, in: folder)
        let spec = KeypointModelSpec.landmarks
        let split = try ValidationSplit(fraction: 0.1, seed: 0)
        let source = AnnotatedFaces.imglab(labels, split: split)
        let held = try source.faces(for: spec), train = try source.faces(for: spec, part: .train)
        let all = try source.faces(for: spec, part: .all)
        #expect(held.count + train.count == all.count && held.count == 20 && all.count == 200)
        // Training splits the same annotated faces the same way (a quick trial: only the
        // first three of each part are decoded).
        let task = KeypointTask.landmarks()
        let run = try task.datasets(from: .imglab(labels, validationFraction: 0.1), limit: 3)
        #expect(run.validation.faces.map(\.image) == held.faces.prefix(3).map(\.image))
        #expect(run.training.faces.map(\.image) == train.faces.prefix(3).map(\.image))
    }

    @Test func sourcesThatDoNotFitTheModelAreRefusedWithOneLine() throws {
        #expect {
            _ = try AnnotatedFaces.imglab(Self.labels, split: nil).faces(for: .landmarks, part: .validation)
        } throws: {
            "\($0)".contains("need the training run's split")
        }
        #expect { _ = try AnnotatedFaces.imm(Self.imm).faces(for: .landmarks) } throws: {
            "\($0)".contains("evaluate it on an imglab XML")
        }
        #expect { _ = try AnnotatedFaces.imglab(Self.labels, split: nil).faces(for: .nose) } throws: {
            "\($0)".contains("evaluate it on the IMM folder")
        }
    }

    @Test func shippedModelOnFourHeldOutFacesAndWholeImageModelsRefuseDetectorBoxes() throws {
        let model = try KeypointModel.shippedLandmarks()
        let held = try AnnotatedFaces.imglab(Self.labels, split: try ValidationSplit(fraction: 0.1, seed: 0)).faces(
            for: model.spec)
        let run = try Evaluation.run(model, on: held.subset([0, 1, 2, 3]), boxes: .truth)
        #expect(run.predictions.count == 4 && run.missed == 0 && run.report.images == 4)
        #expect(run.report.nme > 0 && run.report.nme < 0.08, "NME \(run.report.nme)")

        var generator = RandomGenerator(seed: 0)
        let nose = KeypointModel(network: KeypointModelSpec.nose.makeModel(using: &generator), spec: .nose)
        let faces = try AnnotatedFaces.imm(Self.imm).faces(for: .nose)
        #expect { _ = try Evaluation.run(nose, on: faces, boxes: .detector) } throws: {
            "\($0)".contains("face boxes do not apply")
        }
        #expect { _ = try Evaluation.run(nose, on: faces, boxes: .truth, threshold: 0) } throws: {
            "\($0)".contains("must be positive")
        }
    }
}
