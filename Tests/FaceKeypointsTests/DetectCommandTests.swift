import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// `keypoints detect`: boxes for every photo as JSON or imglab XML; an unreadable photo is one
/// line on stderr, the others go on, and the exit status is 1 at the end.
@Suite struct DetectCommandTests {
    struct Record: Decodable {
        struct Face: Decodable {
            let box: [Float]
            let score: Float
            let points5: [[Float]]
        }
        let image: String
        let faces: [Face]
    }

    @Test func boxesAsJSONAndImglabXMLAndBadPhotosReported() throws {
        let folder = try CommandRunner.temporaryDirectory("detect")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("not-a-photo.jpg")
        try Data("not a JPEG".utf8).write(to: bad)
        let people = TestData.root.appendingPathComponent("dlib_examples/2008_002470.jpg").path
        let dogs = TestData.root.appendingPathComponent("dlib_examples/dogs.jpg").path
        let run = try CommandRunner.run(["detect", people, bad.path, dogs])
        #expect(run.status == 1)
        #expect(
            run.error.contains("\(bad.path): ") && run.error.contains("not a PNG, JPEG or PNM file"),
            "stderr: \(run.error)")
        let records = try JSONDecoder().decode([Record].self, from: Data(run.output.utf8))
        #expect(records.map(\.image) == [people, dogs])
        #expect(records[0].faces.count == 6 && records[1].faces.isEmpty, "faces: \(records.map(\.faces.count))")
        #expect(records[0].faces.allSatisfy { $0.box.count == 4 && $0.points5.count == 5 && $0.score > 0.7 })

        let xml = folder.appendingPathComponent("boxes.xml")
        let xmlRun = try CommandRunner.run(["detect", people, dogs, "--xml-out", xml.path])
        #expect(xmlRun.status == 0, "\(xmlRun.error)")
        let labels = try ImglabDataset(contentsOf: xml)
        #expect(labels.images.map(\.boxes.count) == [6, 0])
        for (box, face) in zip(labels.images[0].boxes, records[0].faces) {
            #expect(abs(Float(box.left) - face.box[0]) <= 0.5 && abs(Float(box.top) - face.box[1]) <= 0.5)
        }
    }
}
