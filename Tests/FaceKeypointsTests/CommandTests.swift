import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// The `keypoints` executable end to end on the real data, with short runs.
@Suite(.serialized) struct CommandTests {
    static let trainingOutputs = [
        "model.safetensors", "checkpoint.safetensors", "metrics.json", "loss.png", "samples.png",
        "predictions.png"
    ]

    func expectFiles(_ names: [String], in folder: URL) {
        for name in names {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "missing \(name)")
        }
    }

    @Test func noseTrainsAndEvaluateReproducesItsMetrics() throws {
        let out = try CommandRunner.temporaryDirectory("nose")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CommandRunner.run([
            "nose", "--data", CommandRunner.data, "--out", out.path, "--epochs", "3", "--recipe", "study"
        ])
        #expect(run.status == 0, "\(run.error)")
        expectFiles(Self.trainingOutputs + ["filters.png"], in: out)
        let metrics = try Metrics(contentsOf: out.appendingPathComponent("metrics.json"))
        #expect(metrics.train_loss.count == 3 && metrics.val_loss.count == 3)
        #expect(
            metrics.train_loss.last! < metrics.train_loss.first!, "training loss did not fall: \(metrics.train_loss)")

        let evaluation = try CommandRunner.run([
            "evaluate", "--model", out.appendingPathComponent("model.safetensors").path,
            "--imm", CommandRunner.data + "/imm_face_db", "--curve", out.appendingPathComponent("ced.png").path
        ])
        #expect(evaluation.status == 0, "\(evaluation.error)")
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(evaluation.output.utf8))
        #expect(report.images == 48)
        #expect(
            abs(report.meanErrorPx - metrics.val_error_px) < 1e-3,
            "evaluate \(report.meanErrorPx) px vs metrics.json \(metrics.val_error_px) px")
        #expect(abs(report.nme - metrics.val_nme) < 1e-5)
        expectFiles(["ced.png"], in: out)
    }

    @Test func faceTrainsAndShowsFilters() throws {
        let out = try CommandRunner.temporaryDirectory("face")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CommandRunner.run([
            "face", "--data", CommandRunner.data, "--out", out.path, "--epochs", "3", "--limit", "8"
        ])
        #expect(run.status == 0, "\(run.error)")
        expectFiles(Self.trainingOutputs + ["filters.png"], in: out)
        let metrics = try Metrics(contentsOf: out.appendingPathComponent("metrics.json"))
        #expect(
            metrics.train_loss.last! < metrics.train_loss.first!, "training loss did not fall: \(metrics.train_loss)")
        let filters = try Image(contentsOf: out.appendingPathComponent("filters.png"))
        #expect(filters.width > 100 && filters.height > 50)
    }

    @Test func landmarksTrainPredictAndKaggle() throws {
        let out = try CommandRunner.temporaryDirectory("landmarks")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CommandRunner.run([
            "landmarks", "--data", CommandRunner.data, "--out", out.path, "--epochs", "3", "--limit", "8",
            "--recipe", "study"
        ])
        #expect(run.status == 0, "\(run.error)")
        expectFiles(Self.trainingOutputs, in: out)
        let metrics = try Metrics(contentsOf: out.appendingPathComponent("metrics.json"))
        #expect(
            metrics.train_loss.last! < metrics.train_loss.first!, "training loss did not fall: \(metrics.train_loss)")
        let model = out.appendingPathComponent("model.safetensors").path

        let photo = CommandRunner.data + "/300w_fullsize"
        let first = try FileManager.default.contentsOfDirectory(atPath: photo).filter { $0.hasSuffix(".jpg") }.sorted()[
            0]
        let predictions = out.appendingPathComponent("predictions")
        let predict = try CommandRunner.run([
            "predict", "--model", model, photo + "/" + first, "--out", predictions.path
        ])
        #expect(predict.status == 0, "\(predict.error)")
        let name = (first as NSString).deletingPathExtension
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: predictions.appendingPathComponent(name + "_keypoints.json"))) as! [String: Any]
        let predictedFaces = try #require(json["faces"] as? [[String: Any]])
        #expect(
            !predictedFaces.isEmpty && predictedFaces.allSatisfy { ($0["points"] as? [[Double]])?.count == 68 },
            "\(json)")
        expectFiles([name + "_keypoints.png"], in: predictions)

        let csv = out.appendingPathComponent("submission.csv")
        let kaggle = try CommandRunner.run([
            "kaggle", "--model", model, "--xml", CommandRunner.data + "/dlib_examples/testing_with_face_landmarks.xml",
            "--out", csv.path
        ])
        #expect(kaggle.status == 0, "\(kaggle.error)")
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "Id,Predicted")
        let faces = try ImglabDataset(
            contentsOf: URL(fileURLWithPath: CommandRunner.data + "/dlib_examples/testing_with_face_landmarks.xml")
        )
        .images.reduce(0) { $0 + $1.boxes.filter { !$0.ignore }.count }
        #expect(lines.count == 1 + faces * 136)
        #expect(lines[1].hasPrefix("1,") && lines[2].hasPrefix("2,"))
    }

    @Test(arguments: [
        (["nose", "--data", "/nonexistent/data"], "--data /nonexistent/data: no such folder"),
        (["nose", "--epochs", "0"], "epochs must be at least 1, got 0"),
        (["face", "--lr=-1"], "the learning rate must be a positive number, got -1"),
        (
            ["predict", "--model", "/nonexistent/model.safetensors", "x.jpg"],
            "--model /nonexistent/model.safetensors: no such file"
        ),
        (["evaluate", "--model", "m.safetensors"], "give exactly one of --xml FILE or --imm DIR"),
        (["landmarks", "--val-fraction", "1.5"], "(--val-fraction) must be between 0 and 1"),
        (["landmarks", "--occlusion", "1.5"], "the occlusion probability must be in 0...1, got 1.5"),
        (["landmarks", "--rotation=-3"], "the rotation range must be 0...180 degrees, got -3.0"),
        (["landmarks", "--scale", "1"], "the scale range must be positive and ordered, got 0.0...2.0"),
        (["landmarks", "--scale=-0.1"], "--scale must be >= 0, got -0.1"),
        (["landmarks", "--pose-balance", "2"], "the pose balancing strength must be in 0...1, got 2.0"),
        (
            ["landmarks", "--architecture", "PIPNet-ResNet18", "--loss", "wing"],
            "the loss (--loss) is a regression model's; PIPNet trains with its own (choose its score maps' loss with --score-loss)"
        ),
        (
            ["landmarks", "--score-loss", "adaptive-wing"],
            "the score-map loss (--score-loss) applies to PIPNet architectures only; ResNet18 takes --loss"
        ),
        (
            ["landmarks", "--crop-enlargement", "9"],
            "--crop-enlargement 9.0: field 'crop.faceBox.enlargement': 9.0 is outside 1...4"
        ),
        (
            ["landmarks", "--architecture", "Integral-ResNet18", "--input-size", "100"],
            "--input-size 100: field 'inputWidth': 100 px; Integral-ResNet18 needs a multiple of 32"
        )
    ])
    func badInputGetsOneClearLine(_ arguments: [String], _ expected: String) throws {
        let run = try CommandRunner.run(arguments)
        #expect(run.status != 0)
        #expect(run.error.contains(expected), "stderr: \(run.error)")
        #expect(!run.error.contains("Fatal error") && !run.error.contains("Stack dump"))
    }

    @Test func modelForAnotherPartOrUnreadableImageIsRefused() throws {
        let out = try CommandRunner.temporaryDirectory("refuse")
        defer { try? FileManager.default.removeItem(at: out) }
        let train = try CommandRunner.run([
            "nose", "--data", CommandRunner.data, "--out", out.path, "--epochs", "1", "--limit", "4"
        ])
        #expect(train.status == 0, "\(train.error)")
        let model = out.appendingPathComponent("model.safetensors").path
        let wrongPart = try CommandRunner.run([
            "evaluate", "--model", model, "--xml", CommandRunner.data + "/300w_subset/labels.xml"
        ])
        #expect(wrongPart.status != 0)
        #expect(
            wrongPart.error.contains("is an IMM model (nose); evaluate it on the IMM folder (--imm)"),
            "stderr: \(wrongPart.error)")

        let garbage = out.appendingPathComponent("garbage.jpg")
        try Data("not a jpeg at all".utf8).write(to: garbage)
        let unreadable = try CommandRunner.run(["predict", "--model", model, garbage.path, "--out", out.path])
        #expect(unreadable.status != 0)
        #expect(unreadable.error.contains(garbage.path), "stderr: \(unreadable.error)")
        #expect(!unreadable.error.contains("Fatal error"))

        let notAModel = try CommandRunner.run(["predict", "--model", garbage.path, garbage.path])
        #expect(notAModel.status != 0)
        #expect(notAModel.error.contains(garbage.path), "stderr: \(notAModel.error)")
    }
}
