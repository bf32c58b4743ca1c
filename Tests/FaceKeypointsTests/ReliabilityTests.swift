import Foundation
import NN
import TestSupport
import Testing

@testable import FaceKeypoints

/// What a run writes is what its loader reads, and a file that asks for too much is refused
/// before anything is built (Docs/Reliability.md).
@Suite struct ReliabilityTests {
    @Test func offsetsALoaderWouldRefuseAreNotWritten() throws {
        let folder = try CommandRunner.temporaryDirectory("calibration-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        // What a barely trained 5-point model measured (issue: [-748.06, 1516.48] px on a 224x224 input).
        let refused = KeypointCalibration.calibrated(.nose, offsets: [Point(-748.06, 1516.48)])
        guard case .failure(let reason) = refused else {
            Issue.record("huge offsets were accepted")
            return
        }
        #expect(reason.field == "pointOffsets[0]")
        guard case .success(let spec) = KeypointCalibration.calibrated(.nose, offsets: [Point(1.5, -0.5)]) else {
            Issue.record("small offsets were refused")
            return
        }
        #expect(spec.pointOffsets == [Point(1.5, -0.5)])

        var generator = RandomGenerator(seed: 0)
        let model = KeypointModelSpec.nose.makeModel(using: &generator)
        var invalid = KeypointModelSpec.nose
        invalid.pointOffsets = [Point(.nan, 0)]
        let url = folder.appendingPathComponent("model.safetensors")
        let error = #expect(throws: KeypointModelError.self) {
            try KeypointModelFile.save(model, spec: invalid, to: url)
        }
        #expect(
            error?.description.contains("not written: metadata 'facekeypoints.spec', field 'pointOffsets[0]'") == true,
            "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    /// A 3 MB spec listing 250,000 point names used to cost 1.1 GB before its weights were
    /// checked; now the scheme's bound refuses it while decoding.
    @Test func aSpecAskingForTooManyPointsIsRefusedBeforeTheNetworkIsBuilt() throws {
        let folder = try CommandRunner.temporaryDirectory("huge-spec")
        defer { try? FileManager.default.removeItem(at: folder) }
        var spec =
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(KeypointModelSpec.nose)) as! [String: Any]
        spec["task"] = "custom"
        spec["points"] = nil
        spec["scheme"] = ["name": "huge", "pointNames": LandmarkScheme.decimalNames(250_000)]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let url = folder.appendingPathComponent("huge.safetensors")
        try SafeTensors.write([:], metadata: [KeypointModelFile.specKey: json], to: url)
        let error = #expect(throws: KeypointModelError.self) { try KeypointModelFile.load(url) }
        #expect(
            error?.description.contains("250000 points; a scheme has at most \(LandmarkScheme.maximumPointCount)")
                == true,
            "\(String(describing: error).prefix(300))")

        // PIPNet's neighbour lists are bounded too: 40 neighbours per point is refused.
        var pipNet = KeypointTask.landmarks(architecture: .pipNetResNet18).spec
        pipNet.neighbours = (0..<68).map { point in (0..<68).filter { $0 != point }.prefix(40).map { $0 } }
        #expect(throws: KeypointModelSpec.InvalidField.self) { try pipNet.validate() }
    }

    @Test func anErrorFileWhosePartsDisagreeIsRefusedInOneLine() throws {
        let folder = try CommandRunner.temporaryDirectory("error-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let valid =
            #"{"label":"a","normalization":"inter-ocular","faces":[0.03],"points":[0.02,0.04],"meanFace":[[0.1,0.2],[0.9,0.2]]}"#
        let cases = [
            (
                #"{"label":"a","normalization":"x","faces":[0.03],"points":[0.02,0.04],"meanFace":[[0.1,0.2]]}"#,
                "\"meanFace\" has 1 points"
            ),
            (
                #"{"label":"a","normalization":"x","faces":[0.03],"points":[0.02,0.04],"meanFace":[[0.1,0.2],[1e30,0.2]]}"#,
                "\"meanFace\"[1]"
            ),
            (
                #"{"label":"a","normalization":"x","faces":[0.03],"points":[0.02,0.04],"meanFace":[[0.1,0.2],[0.5]]}"#,
                "\"meanFace\"[1]"
            ),
            (
                #"{"label":"a","normalization":"x","faces":[0.03],"points":[0.02,1e30],"meanFace":[[0.1,0.2],[0.9,0.2]]}"#,
                "\"points\"[1]"
            )
        ]
        let good = folder.appendingPathComponent("good.json")
        try Data(valid.utf8).write(to: good)
        _ = TrainingReports.perPointErrorPlot(try ErrorSummary(contentsOf: good))
        for (n, (text, message)) in cases.enumerated() {
            let url = folder.appendingPathComponent("bad\(n).json")
            try Data(text.utf8).write(to: url)
            let error = #expect(throws: KeypointModelError.self) { try ErrorSummary(contentsOf: url) }
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test func aRunTakesItsFolderClearsWhatKilledRunsLeftAndSaysWhenThereIsNothingToResume() throws {
        let (training, validation) = try MovingAverageTrainingTests.sets()
        let out = try CommandRunner.temporaryDirectory("run-folder")
        defer { try? FileManager.default.removeItem(at: out) }
        let stale = ".checkpoint.safetensors.\(UUID().uuidString).tmp"
        try Data(count: 1024).write(to: out.appendingPathComponent(stale))
        let configuration = TrainingConfiguration(epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 5)
        let trainer = try KeypointTrainer(
            spec: .nose, configuration: configuration, training: training, validation: validation, output: out)
        var warnings: [String] = []
        try trainer.run(resume: true) { if case .warning(let text) = $0 { warnings.append(text) } }
        #expect(warnings.contains("removed 1 temporary file an interrupted run left in \(out.path)"), "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("--resume: there is no checkpoint.safetensors in") }, "\(warnings)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(stale).path))

        // While another process holds the folder, a second run is refused before it writes.
        let holder = try FolderLockHolder(folder: out)
        defer { holder.stop() }
        let before = try Data(contentsOf: trainer.modelURL)
        let second = try KeypointTrainer(
            spec: .nose, configuration: configuration, training: training, validation: validation, output: out)
        let error = #expect(throws: RunFolderLockError.self) { try second.run(resume: false) }
        #expect(error?.message.contains("another run (process") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: trainer.modelURL) == before)
    }

    @Test func aDetectorBoxCacheOfAnotherAnnotationFileIsComputedAgain() throws {
        let folder = try CommandRunner.temporaryDirectory("stale-cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a"), second = folder.appendingPathComponent("b")
        for url in [first, second] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        let a = try DetectorBoxesTests.smallAnnotations(count: 1, in: first),
            b = try DetectorBoxesTests.smallAnnotations(count: 2, in: second)
        let cache = folder.appendingPathComponent("detector_boxes.xml")
        #expect(try DetectorBoxes.cachedFile(for: a, at: cache)?.faces == 2)
        #expect(try DetectorBoxes.cachedFile(for: a, at: cache) == nil, "the same file: the cache is read")
        #expect(try DetectorBoxes.cachedFile(for: b, at: cache)?.faces == 3, "another file: computed again")
        #expect(try ImglabDataset(contentsOf: cache).images.count == 3)
        #expect(try ImglabDataset(contentsOf: cache).comment?.hasSuffix(try DetectorBoxes.sourceStamp(of: b)) == true)
    }
}
