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
        case medianMs = "median_ms", totalMs = "total_ms"
    }
}

/// Continuous [x1, y1, x2, y2].
typealias Corners = SIMD4<Double>

func intersectionOverUnion(_ a: Corners, _ b: Corners) -> Double {
    let w = min(a[2], b[2]) - max(a[0], b[0]), h = min(a[3], b[3]) - max(a[1], b[1])
    guard w > 0, h > 0 else { return 0 }
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return union > 0 ? w * h / union : 0
}

/// Pairs with IoU >= `threshold`, taken greedily by decreasing IoU (ties: detection, then
/// annotation order), each detection and each annotation at most once.
func greedyMatchCount(_ detections: [Corners], _ annotations: [Corners], threshold: Double) -> Int {
    var pairs: [(iou: Double, d: Int, a: Int)] = []
    for (d, det) in detections.enumerated() {
        for (a, ann) in annotations.enumerated() {
            let value = intersectionOverUnion(det, ann)
            if value >= threshold { pairs.append((value, d, a)) }
        }
    }
    pairs.sort { ($0.iou, -$0.d, -$0.a) > ($1.iou, -$1.d, -$1.a) }
    var usedD = Set<Int>(), usedA = Set<Int>()
    for pair in pairs where !usedD.contains(pair.d) && !usedA.contains(pair.a) {
        usedD.insert(pair.d)
        usedA.insert(pair.a)
    }
    return usedD.count
}

/// The photos of an imglab file (paths relative to its folder) and their annotated boxes.
func detectionPhotos(labels: URL, limit: Int?) throws -> [(url: URL, boxes: [Corners])] {
    let dataset = try ImglabDataset(contentsOf: labels)
    let folder = labels.deletingLastPathComponent()
    var photos = dataset.images.map { image in
        (url: folder.appendingPathComponent(image.file),
         boxes: image.boxes.filter { !$0.ignore }.map { box in
             Corners(Double(box.left), Double(box.top), Double(box.left + box.width), Double(box.top + box.height))
         })
    }
    if let limit { photos = Array(photos.prefix(limit)) }
    return photos
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
        let corners = faces.map { Corners(Double($0.corners[0]), Double($0.corners[1]), Double($0.corners[2]), Double($0.corners[3])) }
        let matched = greedyMatchCount(corners, photo.boxes, threshold: 0.5)
        found50 += matched
        unmatched += corners.count - matched
        found30 += greedyMatchCount(corners, photo.boxes, threshold: 0.3)
        detections += corners.count
    }
    let faces = photos.reduce(0) { $0 + $1.boxes.count }
    return DetectionLine(detector: "ours", threads: threads, images: photos.count, faces: faces, detections: detections,
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
        print("recall = annotated faces matched at IoU >= 0.5 (and >= 0.3), greedy by IoU, each annotation at most once;")
        print("unmatched = detections matching no annotated face at IoU >= 0.5 (not necessarily false: not every face is annotated);")
        print("ms = per photo, decoding and warm-up excluded: median of per-photo times, and total/count")
        print("")
        print("set              detector  thr  photos  faces  recall@.5  recall@.3  unmatched  median ms  mean ms")
        let limitArguments = limit.map { ["--limit", String($0)] } ?? []
        for file in labels {
            let name = file.deletingLastPathComponent().lastPathComponent
            var lines: [DetectionLine] = []
            for n in threads {
                let output = try runChild(me, ["detect-run", file.path, String(n), "--json"] + limitArguments, environment: environment)
                lines.append(try decodeLastJSONLine(output, as: DetectionLine.self))
                printLine(name, lines[lines.count - 1])
            }
            if peers {
                let output = try python.run([file.path, "--threads", threads.map(String.init).joined(separator: ",")] + limitArguments)
                for line in output.split(separator: "\n") where line.hasPrefix("{") {
                    let peer = try JSONDecoder().decode(DetectionLine.self, from: Data(line.utf8))
                    printLine(name, peer)
                }
            }
        }
        print("dlib HOG runs on one thread whatever the setting, so it is timed once.")
    }

    func printLine(_ set: String, _ line: DetectionLine) {
        func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        print(padded(set, 16) + " " + padded(line.detector, 8) + String(format: " %4d  %6d  %5d  %8.1f%%  %8.1f%%  %9d  %9.1f  %7.1f",
                     line.threads, line.images, line.faces, line.recall50 * 100, line.recall30 * 100,
                     line.unmatched50, line.medianMs, line.totalMs / Double(max(line.images, 1))))
    }
}
