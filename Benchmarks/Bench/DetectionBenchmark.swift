import FaceData
import FaceDetection
import Foundation
import Tensor
import Vision

/// One (detector, threads) pass over an imglab file: recall against its boxes, unmatched
/// detections and milliseconds per photo. `Benchmarks/detector_peers.py` prints the same lines.
struct DetectionLine: Codable {
    var detector: String
    var threads: Int
    var images: Int
    var faces: Int
    var detections: Int
    var recall50: Double
    var recall30: Double
    var unmatched50: Int
    /// The median of the per-photo times (decoding excluded, warm-up excluded).
    var medianMs: Double
    /// The sum of the per-photo times.
    var totalMs: Double

    enum CodingKeys: String, CodingKey {
        case detector, threads, images, faces, detections, recall50, recall30, unmatched50
        case medianMs = "median_ms"
        case totalMs = "total_ms"
    }
}

/// The photos of an imglab file (paths relative to its folder) and their annotated boxes.
func detectionPhotos(labels: URL, limit: Int?) throws -> [(url: URL, boxes: [BoundingBox])] {
    let dataset = try ImglabDataset(contentsOf: labels)
    let folder = labels.deletingLastPathComponent()
    var photos = dataset.images.map { image in
        (url: image.url(relativeTo: folder), boxes: image.boxes.filter { !$0.ignore }.map(\.boundingBox))
    }
    if let limit { photos = Array(photos.prefix(limit)) }
    return photos
}

/// How many of `annotations` a detection matches at IoU >= `threshold` (``FaceMatching``).
func matchCount(_ detections: [BoundingBox], _ annotations: [BoundingBox], threshold: Float) -> Int {
    FaceMatching.greedy(detections: detections, annotations: annotations, minimumIoU: threshold).compactMap { $0 }.count
}

/// Ours: `MTCNN.pretrained()` (minimum face 20) on `threads` threads, each photo decoded
/// before its clock starts, one untimed warm-up call on the first photo.
func measureOurDetector(labels: URL, threads: Int, limit: Int?) throws -> DetectionLine {
    let photos = try detectionPhotos(labels: labels, limit: limit)
    guard let first = photos.first else { throw BenchmarkError("no photos in \(labels.path)") }
    let mtcnn = try MTCNN.pretrained()
    ComputeThreads.set(threads)
    _ = try mtcnn.faces(in: try Image(contentsOf: first.url))
    var times: [Double] = [], found50 = 0, found30 = 0, unmatched = 0, detections = 0
    for photo in photos {
        let image = try Image(contentsOf: photo.url)
        let start = DispatchTime.now().uptimeNanoseconds
        let faces = try mtcnn.faces(in: image)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        let boxes = faces.map(\.box)
        let matched = matchCount(boxes, photo.boxes, threshold: 0.5)
        found50 += matched
        unmatched += boxes.count - matched
        found30 += matchCount(boxes, photo.boxes, threshold: 0.3)
        detections += boxes.count
    }
    let faces = photos.reduce(0) { $0 + $1.boxes.count }
    return DetectionLine(
        detector: "ours", threads: threads, images: photos.count, faces: faces, detections: detections,
        recall50: Double(found50) / Double(max(faces, 1)), recall30: Double(found30) / Double(max(faces, 1)),
        unmatched50: unmatched, medianMs: median(times), totalMs: times.reduce(0, +))
}

/// `keypoints-bench detect`: for each imglab file, ours on each thread count (one child process
/// per pass), then the peers (Benchmarks/detector_peers.py, one child), one table.
struct DetectionComparison {
    var labels: [URL]
    var threads: [Int]
    var limit: Int?
    var peers: Bool
    var python: PythonSide
    var environment: [String: String]

    func run() throws {
        let me = CommandLine.arguments[0]
        print("Machine: \(cpuDescription()); OpenBLAS \(ComputeThreads.blasCoreName); load \(loadAverage())")
        print(
            "recall = annotated faces matched at IoU >= 0.5 (and >= 0.3), greedy by IoU, each annotation at most once;")
        print(
            "unmatched = detections matching no annotated face at IoU >= 0.5 (not necessarily false: not every face is annotated);"
        )
        print("ms = per photo, decoding and warm-up excluded: median of per-photo times, and total/count")
        print("")
        print("set              detector  thr  photos  faces  recall@.5  recall@.3  unmatched  median ms  mean ms")
        let limitArguments = limit.map { ["--limit", String($0)] } ?? []
        for file in labels {
            let name = file.deletingLastPathComponent().lastPathComponent
            var lines: [DetectionLine] = []
            for n in threads {
                let output = try runChild(
                    me, ["detect-run", file.path, String(n), "--json"] + limitArguments, environment: environment)
                lines.append(try decodeLastJSONLine(output, as: DetectionLine.self))
                printLine(name, lines[lines.count - 1])
            }
            if peers {
                let output = try python.run(
                    [file.path, "--threads", threads.map(String.init).joined(separator: ",")] + limitArguments)
                for line in output.split(separator: "\n") where line.hasPrefix("{") {
                    let peer = try JSONDecoder().decode(DetectionLine.self, from: Data(line.utf8))
                    printLine(name, peer)
                }
            }
        }
        print("dlib HOG runs on one thread whatever the setting, so it is timed once.")
    }

    func printLine(_ set: String, _ line: DetectionLine) {
        func padded(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
        }
        print(
            padded(set, 16) + " " + padded(line.detector, 8)
                + String(
                    format: " %4d  %6d  %5d  %8.1f%%  %8.1f%%  %9d  %9.1f  %7.1f",
                    line.threads, line.images, line.faces, line.recall50 * 100, line.recall30 * 100,
                    line.unmatched50, line.medianMs, line.totalMs / Double(max(line.images, 1))))
    }
}
