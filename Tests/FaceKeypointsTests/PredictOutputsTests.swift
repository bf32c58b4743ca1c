import FaceKeypoints
import Foundation
import NN
import TestSupport
import Testing

/// `keypoints predict` never loses or mixes what it writes: two photos that would write the
/// same files are refused before any work, a photo is never overwritten by an output, a folder
/// that is also the output folder reads as it was, shards write files of their own, a missing
/// path is reported while the others go on, and boxes and outputs of any size draw without a
/// trap or a hang.
@Suite struct PredictOutputsTests {
    /// A NoseNet (the whole photo, no detector) written to `folder`, with `fc2.bias` set to
    /// `bias` when given: a model whose outputs are huge but finite.
    static func noseModel(in folder: URL, bias: Float? = nil) throws -> URL {
        var generator = RandomGenerator(seed: 1)
        let model = KeypointModelSpec.nose.makeModel(using: &generator)
        var state = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) })
        if let bias, let old = state["fc2.bias"] {
            state["fc2.bias"] = Tensor(shape: old.shape, values: [Float](repeating: bias, count: old.count))
        }
        try model.loadStateDict(state)
        let url = folder.appendingPathComponent(bias == nil ? "nose.safetensors" : "huge.safetensors")
        try KeypointModelFile.save(model, spec: .nose, to: url)
        return url
    }

    /// `names` as copies of a small photo in `folder`.
    static func photos(_ names: [String], in folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try names.map { name in
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Image(width: 40, height: 30, color: .gray).write(to: url)
            return url
        }
    }

    @Test func outputsNeverCollideWithEachOtherOrWithThePhotos() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-names")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.noseModel(in: folder)
        let photos = try Self.photos(
            ["a/face.png", "a/face.ppm", "b/face.png", "c/X.png", "c/X_keypoints.png"], in: folder)
        let out = folder.appendingPathComponent("out")
        let same = try CommandRunner.run([
            "predict", "--model", model.path, photos[0].path, photos[2].path, "--out", out.path
        ])
        #expect(
            same.status != 0
                && same.error.contains("\(photos[0].path) and \(photos[2].path) would both write face_keypoints.json"),
            "\(same.error)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "refused before any work")

        // X.png's drawing would overwrite the photo X_keypoints.png: refused.
        let cFolder = photos[3].deletingLastPathComponent()
        let overwrite = try CommandRunner.run([
            "predict", "--model", model.path, photos[3].path, photos[4].path, "--out", cFolder.path
        ])
        #expect(
            overwrite.status != 0 && overwrite.error.contains("is one of the photos and would be overwritten"),
            "\(overwrite.error)")

        // A folder predicted into itself, twice: its drawings are not taken for photos.
        let aFolder = photos[0].deletingLastPathComponent()
        for _ in 0..<2 {
            let run = try CommandRunner.run(["predict", "--model", model.path, photos[0].path, "--out", aFolder.path])
            #expect(run.status == 0, "\(run.error)")
        }
        let folderRun = try CommandRunner.run([
            "predict", "--model", model.path, aFolder.path, "--out", folder.appendingPathComponent("a-out").path
        ])
        #expect(
            folderRun.error.contains("would both write face_keypoints.json"),
            "face.png and face.ppm collide, the drawings are not photos: \(folderRun.error)")
    }

    @Test func shardsWriteTheirOwnFilesAndAMissingPathDoesNotStopTheOthers() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-shards")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.noseModel(in: folder)
        let photos = try Self.photos(["p/one.png", "p/two.png", "p/three.png"], in: folder)
        let out = folder.appendingPathComponent("out")
        for shard in ["0/2", "1/2"] {
            let run = try CommandRunner.run([
                "predict", "--model", model.path, photos[0].deletingLastPathComponent().path, "--shard", shard, "--out",
                out.path
            ])
            #expect(run.status == 0, "\(run.error)")
        }
        let lines = try ["predictions-0-of-2.jsonl", "predictions-1-of-2.jsonl"].flatMap {
            try String(contentsOf: out.appendingPathComponent($0), encoding: .utf8).split(separator: "\n")
        }
        #expect(lines.count == 3, "both shards kept: \(lines.count) lines")

        let missing = folder.appendingPathComponent("p/none.png")
        let run = try CommandRunner.run([
            "predict", "--model", model.path, missing.path, photos[1].path, "--out",
            folder.appendingPathComponent("m").path
        ])
        #expect(run.status == 1)
        #expect(
            run.error.contains("\(missing.path)") && run.error.contains("cannot read the image: no such file"),
            "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m/two_keypoints.json").path))
    }

    @Test func hugeBoxesAndHugeOutputsDrawWithoutATrap() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-huge")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try Self.photos(["face.png"], in: folder)[0]
        let huge = try Self.noseModel(in: folder, bias: 1e30)
        let run = try CommandRunner.run([
            "predict", "--model", huge.path, photo.path, "--out", folder.appendingPathComponent("o").path
        ])
        #expect(run.status == 0, "outputs of 1e30: \(run.error)")
        let landmarks = TestData.root.appendingPathComponent("dlib_examples/2008_002470.jpg")
        for box in ["0,0,1e20,1e20", "0,0,1e7,1e7"] {
            let boxed = try CommandRunner.run([
                "predict", "--box", box, landmarks.path, "--out", folder.appendingPathComponent("b").path
            ])
            #expect(boxed.status == 0, "--box \(box): \(boxed.error)")
        }
        let threads = try CommandRunner.run(["predict", "--threads", "100000", photo.path])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(
            threads.status != 0
                && threads.error.contains("--threads 100000: expected 1...\(cores), the cores of this machine"),
            "\(threads.error)")
    }

    /// The smaller items of the review: a model whose outputs are NaN writes neither a drawing nor
    /// a JSON, `export` into a missing folder and `train --mirror` with a binary file stop before
    /// any work, each with one line.
    @Test func nanOutputsAndBadOutputFilesGetOneLine() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-small-items")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try Self.photos(["face.png"], in: folder)[0]
        let nan = try Self.noseModel(in: folder, bias: .nan)
        let out = folder.appendingPathComponent("nan")
        let run = try CommandRunner.run(["predict", "--model", nan.path, photo.path, "--out", out.path])
        #expect(run.status == 1 && run.error.contains("are not finite (NaN or infinite)"), "\(run.error)")
        #expect(
            !FileManager.default.fileExists(atPath: out.appendingPathComponent("face_keypoints.png").path),
            "no drawing without its JSON")

        let model = try Self.noseModel(in: folder)
        let missing = folder.appendingPathComponent("none/model.safetensors")
        let export = try CommandRunner.run(["export", "--model", model.path, "--out", missing.path])
        #expect(export.status != 0 && export.error.contains("does not exist; create it first"), "\(export.error)")

        let binary = folder.appendingPathComponent("mirror.bin")
        try Data([0, 159, 146, 150, 0, 1]).write(to: binary)
        let train = try CommandRunner.run([
            "train", "--xml", TestData.root.appendingPathComponent("300w_subset/labels.xml").path, "--mirror",
            binary.path,
            "--epochs", "1", "--out", folder.appendingPathComponent("run").path
        ])
        #expect(train.status != 0 && train.error.contains("not a text file"), "\(train.error)")
    }
}
