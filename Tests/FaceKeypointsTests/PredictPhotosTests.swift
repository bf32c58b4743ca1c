import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// `keypoints predict` with nothing but photos: the shipped detector and model find every face,
/// one JSON per photo and `predictions.jsonl`, an empty list for a photo without faces, one
/// stderr line and exit status 1 for an unreadable photo; EXIF orientation honoured.
@Suite struct PredictPhotosTests {
    struct Record: Decodable, Equatable {
        struct Face: Decodable, Equatable {
            let box: [Float]
            let score: Float?
            let points5: [[Float]]?
            let points: [[Float]]
        }
        let image: String
        let width: Int
        let height: Int
        let model: String
        let faces: [Face]
    }

    @Test func everyFaceOfEveryPhotoWithTheShippedModel() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-photos")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for name in ["2008_002470.jpg", "dogs.jpg"] {
            try FileManager.default.copyItem(
                at: TestData.root.appendingPathComponent("dlib_examples/\(name)"),
                to: photos.appendingPathComponent(name))
        }
        try Data("not a JPEG".utf8).write(to: photos.appendingPathComponent("broken.jpg"))
        let out = folder.appendingPathComponent("out")
        let run = try CommandRunner.run(["predict", photos.path, "--out", out.path])
        #expect(run.status == 1)
        #expect(run.error.contains(photos.appendingPathComponent("broken.jpg").path + ": "), "stderr: \(run.error)")
        let lines = try String(contentsOf: out.appendingPathComponent("predictions.jsonl"), encoding: .utf8).split(
            separator: "\n")
        let records = try lines.map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
        #expect(records.map { URL(fileURLWithPath: $0.image).lastPathComponent } == ["2008_002470.jpg", "dogs.jpg"])
        #expect(records[0].faces.count == 6 && records[1].faces.isEmpty, "faces: \(records.map(\.faces.count))")
        #expect(records.allSatisfy { $0.model == "shipped:landmarks68.safetensors" })
        for face in records[0].faces {
            #expect(face.points.count == 68 && face.points5?.count == 5 && (face.score ?? 0) > 0.7)
            // The 68 points lie on the face: inside its detector box grown by a half on each side.
            let (x, y, w, h) = (face.box[0], face.box[1], face.box[2], face.box[3])
            #expect(
                face.points.allSatisfy {
                    $0[0] > x - w / 2 && $0[0] < x + 1.5 * w && $0[1] > y - h / 2 && $0[1] < y + 1.5 * h
                })
        }
        for name in ["2008_002470", "dogs"] {
            let single = try JSONDecoder().decode(
                Record.self, from: Data(contentsOf: out.appendingPathComponent(name + "_keypoints.json")))
            #expect(single == records[name == "dogs" ? 1 : 0])
            let drawn = try Image(contentsOf: out.appendingPathComponent(name + "_keypoints.png"))
            #expect(drawn.width == records[name == "dogs" ? 1 : 0].width)
        }
    }

    @Test func exifOrientationIsHonouredAndTheJSONKeepsEveryKey() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-exif")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Stored 8x6 with orientation 6 (rotate 90 degrees clockwise): displayed 6x8.
        let photo = Fixture.directory.appendingPathComponent("vision_exif_6.jpg").path
        let run = try CommandRunner.run(["predict", photo, "--box", "0,0,6,8", "--out", folder.path])
        #expect(run.status == 0, "\(run.error)")
        let data = try Data(contentsOf: folder.appendingPathComponent("vision_exif_6_keypoints.json"))
        let record = try JSONDecoder().decode(Record.self, from: data)
        #expect(record.width == 6 && record.height == 8)
        #expect(record.faces.count == 1 && record.faces[0].box == [0, 0, 6, 8] && record.faces[0].points.count == 68)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let face = try #require((json["faces"] as? [[String: Any]])?.first)
        #expect(face["score"] is NSNull && face["points5"] is NSNull)
    }

    @Test func evaluateReportsDetectorAndTruthBoxes() throws {
        let folder = try CommandRunner.temporaryDirectory("evaluate-boxes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let annotations = try DetectorBoxesTests.smallAnnotations(count: 3, in: folder)
        var reports: [String: [String: Any]] = [:]
        for boxes in ["detector", "truth"] {
            let run = try CommandRunner.run(["evaluate", "--xml", annotations.path, "--boxes", boxes])
            #expect(run.status == 0, "\(run.error)")
            reports[boxes] = try #require(
                try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        }
        // The face moved into the corner is missed by the detector: a failure, and named on stderr.
        #expect(reports["detector"]?["missed"] as? Int == 1 && reports["detector"]?["images"] as? Int == 4)
        #expect((reports["detector"]?["failure_rate"] as? Double ?? 0) >= 0.25)
        #expect(reports["truth"]?["missed"] == nil && reports["truth"]?["images"] as? Int == 4)
    }

    @Test func shardsCoverEveryPhotoOnceAndConcatenateIntoTheWholeRun() throws {
        let folder = try CommandRunner.temporaryDirectory("predict-shards")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for name in ["01-1m.jpg", "01-2m.jpg", "02-1m.jpg"] {
            try FileManager.default.copyItem(
                at: TestData.root.appendingPathComponent("imm_face_db/\(name)"), to: photos.appendingPathComponent(name)
            )
        }
        func lines(_ arguments: [String], _ out: String, file: String = "predictions.jsonl") throws -> [String] {
            let run = try CommandRunner.run(
                ["predict", photos.path, "--out", folder.appendingPathComponent(out).path] + arguments)
            #expect(run.status == 0, "\(run.error)")
            return try String(contentsOf: folder.appendingPathComponent("\(out)/\(file)"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
        }
        let whole = try lines([], "whole")
        // Both shards into one folder, each to its own file.
        let first = try lines(["--shard", "0/2"], "shards", file: "predictions-0-of-2.jsonl")
        let second = try lines(["--shard", "1/2"], "shards", file: "predictions-1-of-2.jsonl")
        #expect(whole.count == 3 && first.count == 2 && second.count == 1)
        #expect((first + second).sorted() == whole.sorted())
        #expect(first == [whole[0], whole[2]] && second == [whole[1]])
        let bad = try CommandRunner.run(["predict", photos.path, "--shard", "2/2"])
        #expect(bad.status != 0 && bad.error.contains("--shard"), "\(bad.error)")
    }
}
