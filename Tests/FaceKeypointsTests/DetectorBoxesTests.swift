import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// Training on the detector's boxes: every annotated face gets MTCNN's box (or a fallback),
/// the task refuses the wrong kind of box file, and `landmarks --boxes detector` computes the
/// boxes once and records them in the model.
@Suite struct DetectorBoxesTests {
    /// The first `count` photos of the 300-W subset as an imglab file with absolute paths, plus
    /// a copy of the first face moved into the photo's top-left corner, where there is no face.
    static func smallAnnotations(count: Int, in folder: URL) throws -> URL {
        let source = TestData.root.appendingPathComponent("300w_subset/labels.xml")
        var labels = try ImglabDataset(contentsOf: source)
        labels.images = Array(labels.images.prefix(count))
        for i in labels.images.indices {
            labels.images[i].file =
                source.deletingLastPathComponent().appendingPathComponent(labels.images[i].file).path
        }
        var moved = labels.images[0]
        let face = moved.boxes[0]
        moved.boxes = [
            ImglabBox(
                top: 0, left: 0, width: face.width, height: face.height,
                parts: face.parts.map { ImglabPart(name: $0.name, x: $0.x - face.left, y: $0.y - face.top) })
        ]
        labels.images.append(moved)
        let url = folder.appendingPathComponent("small.xml")
        try labels.write(to: url)
        return url
    }

    @Test func everyAnnotatedFaceGetsTheDetectorsBoxOrAFallback() throws {
        let folder = try CommandRunner.temporaryDirectory("detector-boxes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.smallAnnotations(count: 3, in: folder)
        let annotations = try ImglabDataset(contentsOf: url)
        let detector = try MTCNN.pretrained()
        let (boxes, summary) = try DetectorBoxes.replacingBoxes(of: annotations, file: url, detector: detector)
        #expect(DetectorBoxes.isDetectorBoxes(boxes) && !DetectorBoxes.isDetectorBoxes(annotations))
        #expect(summary.faces == 4 && summary.detected == 3, "\(summary)")
        for (image, original) in zip(boxes.images, annotations.images) {
            #expect(image.boxes.map(\.parts) == original.boxes.map(\.parts))
        }
        // A found face's box is the detection's, rounded to imglab's pixels.
        let found = try detector.faces(
            in: try Image(contentsOf: URL(fileURLWithPath: annotations.images[0].file), applyOrientation: false))
        let truth = BoundingBox(enclosing: annotations.images[0].boxes[0].parts.map(\.point))
        let match = try #require(FaceMatching.greedy(detections: found.map(\.box), annotations: [truth])[0])
        #expect(
            boxes.images[0].boxes[0]
                == ImglabBox(rounding: found[match].box, parts: annotations.images[0].boxes[0].parts))
        #expect(boxes.images[0].boxes[0].label == nil)
        // The face in the corner is not found: its points' box moved by the median relation.
        let corner = boxes.images[3].boxes[0]
        let cornerTruth = BoundingBox(enclosing: annotations.images[3].boxes[0].parts.map(\.point))
        #expect(corner.label == DetectorBoxes.fallbackLabel)
        #expect(
            corner
                == ImglabBox(
                    rounding: summary.relation.box(around: cornerTruth), label: DetectorBoxes.fallbackLabel,
                    parts: annotations.images[3].boxes[0].parts))
        // MTCNN's box sits higher and is taller than the landmarks' box, as measured on all faces.
        #expect(summary.relation.centerShift.y < -0.05 && summary.relation.size.y > 1.1, "\(summary.relation)")
    }

    @Test func theTaskRefusesTheWrongKindOfBoxes() throws {
        let folder = try CommandRunner.temporaryDirectory("box-kinds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let annotations = try Self.smallAnnotations(count: 2, in: folder)
        let detectorTask = KeypointTask.landmarks(boxes: .detector)
        #expect(detectorTask.spec.faceBoxes == .detector && KeypointTask.landmarks().spec.boxes == nil)
        #expect { _ = try detectorTask.datasets(from: .imglab(annotations)) } throws: {
            "\($0)".contains("holds annotated boxes, but the model crops from detector boxes")
        }
        let cache = folder.appendingPathComponent("boxes.xml")
        try DetectorBoxes.cachedFile(for: annotations, at: cache)
        #expect { _ = try KeypointTask.landmarks().datasets(from: .imglab(cache)) } throws: {
            "\($0)".contains("holds detector boxes, but the model crops from the annotated boxes")
        }
        let data = try detectorTask.datasets(from: .imglab(cache, validationFraction: 0.5))
        #expect(data.training.count + data.validation.count == 3)
        // A file that is not a detector-box file is not taken for a cache.
        #expect { try DetectorBoxes.cachedFile(for: annotations, at: annotations) } throws: {
            "\($0)".contains("expected detector boxes")
        }
    }

    @Test func landmarksWithDetectorBoxesCachesThemAndRecordsThemInTheModel() throws {
        let folder = try CommandRunner.temporaryDirectory("landmarks-detector")
        defer { try? FileManager.default.removeItem(at: folder) }
        let annotations = try Self.smallAnnotations(count: 3, in: folder)
        let out = folder.appendingPathComponent("run")
        let run = try CommandRunner.run([
            "landmarks", "--boxes", "detector", "--xml", annotations.path, "--out", out.path,
            "--epochs", "1", "--val-fraction", "0.25"
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("detector boxes: 3 of 4 faces detected (1 fallback boxes)"), "\(run.output)")
        let cache = out.appendingPathComponent("detector_boxes.xml")
        #expect(DetectorBoxes.isDetectorBoxes(try ImglabDataset(contentsOf: cache)))
        var spec = try KeypointModelFile.spec(of: out.appendingPathComponent("model.safetensors")).spec
        #expect(spec.pointOffsets?.count == 68)  // measured on the training faces at the end
        spec.pointOffsets = nil
        #expect(spec == .detectorLandmarks)
        // Resuming reads the cache instead of detecting again.
        let again = try CommandRunner.run([
            "landmarks", "--boxes", "detector", "--xml", annotations.path, "--out", out.path,
            "--epochs", "1", "--val-fraction", "0.25", "--resume"
        ])
        #expect(again.status == 0, "\(again.error)")
        #expect(!again.output.contains("detector boxes:"), "\(again.output)")
    }
}
