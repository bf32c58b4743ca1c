import FaceKeypoints
import Foundation
import Tensor
import Vision

/// One (pipeline, threads) pass over whole photos: how many photos, how many of them gave
/// exactly one face, how many faces in all, and milliseconds per photo for finding the faces
/// and putting 68 landmarks on each. `Benchmarks/pipeline_peers.py` prints the same lines.
struct PipelineLine: Codable {
    var pipeline: String
    var threads: Int
    var photos: Int
    /// Photos in which exactly one face was found (each IMM photo shows one person).
    var oneFace: Int
    /// Faces found in all the photos, each with its landmarks.
    var faces: Int
    /// The median of the per-photo times (decoding excluded, warm-up excluded).
    var medianMs: Double
    /// The mean of the per-photo times.
    var meanMs: Double

    enum CodingKeys: String, CodingKey {
        case pipeline, threads, photos, faces
        case oneFace = "one_face"
        case medianMs = "median_ms"
        case meanMs = "mean_ms"
    }
}

/// The first `limit` photos of the IMM Face Database folder (640x480, one face each), sorted by
/// file name, as `Benchmarks/pipeline_peers.py` sorts them.
func pipelinePhotos(folder: URL, limit: Int) throws -> [URL] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    let photos = names.filter { $0.lowercased().hasSuffix(".jpg") }.sorted().prefix(limit)
    guard !photos.isEmpty else { throw BenchmarkError("no .jpg photos in \(folder.path)") }
    return photos.map { folder.appendingPathComponent($0) }
}

/// Ours: `FaceLandmarker()` (the shipped MTCNN, minimum face 20, and the shipped 68-point
/// model) on `threads` threads. Each photo is decoded before its clock starts; one untimed
/// warm-up call on the first photo precedes the pass.
func measureOurPipeline(folder: URL, threads: Int, limit: Int) throws -> PipelineLine {
    let photos = try pipelinePhotos(folder: folder, limit: limit)
    ComputeThreads.set(threads)
    let landmarker = try FaceLandmarker()
    _ = try landmarker.faces(in: try Image(contentsOf: photos[0]))
    var times: [Double] = [], oneFace = 0, faces = 0
    for url in photos {
        let image = try Image(contentsOf: url)
        let start = DispatchTime.now().uptimeNanoseconds
        let found = try landmarker.faces(in: image)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        if found.count == 1 { oneFace += 1 }
        faces += found.count
    }
    return PipelineLine(
        pipeline: "ours", threads: threads, photos: photos.count, oneFace: oneFace, faces: faces,
        medianMs: median(times), meanMs: times.reduce(0, +) / Double(times.count))
}

/// `keypoints-bench pipeline`: whole photos, faces and their 68 landmarks. Ours runs in one
/// child process per thread count, dlib's HOG detector and 68-point shape predictor
/// (`Benchmarks/pipeline_peers.py`) in one more child, on the same photos; one table, then the
/// ratio of our median time to dlib's for each thread count.
struct PipelineComparison {
    var folder: URL
    var threads: [Int]
    var limit: Int
    var peers: Bool
    var python: PythonSide
    var environment: [String: String]

    func run() throws {
        guard limit >= 1 else { throw BenchmarkError("--limit: expected at least 1 photo, got \(limit)") }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let core = try runChild(me, ["core"], environment: environment).trimmingCharacters(in: .whitespacesAndNewlines)
        print("Machine: \(cpuDescription()); OpenBLAS \(core); load \(loadAverage())")
        print("photos = the first \(limit) of \(folder.path) by name (IMM Face Database: 640x480, one face each);")
        print(
            "ours = FaceLandmarker(): MTCNN.pretrained (minimum face 20), then the shipped 68-point model on every face (PIPNet: twice);"
        )
        print(
            "dlib = get_frontal_face_detector() with upsample 1, then shape_predictor_68_face_landmarks.dat on every face (one thread);"
        )
        print(
            "ms = per photo, faces and their landmarks, decoding and warm-up excluded: median and mean of the per-photo times"
        )
        print("")
        print("pipeline  thr  photos  one face  faces  median ms  mean ms")
        var ours: [PipelineLine] = []
        for n in threads {
            let output = try runChild(
                me, ["pipeline-run", folder.path, String(n), "--limit", String(limit), "--json"],
                environment: environment)
            ours.append(try decodeLastJSONLine(output, as: PipelineLine.self))
            printLine(ours[ours.count - 1])
        }
        if peers {
            let dlib = try decodeLastJSONLine(
                try python.run([folder.path, "--limit", String(limit)]), as: PipelineLine.self)
            printLine(dlib)
            print("")
            print("ours / dlib, median ms (below 1: ours is faster):")
            for line in ours {
                let ratio = String(format: "%.2f", line.medianMs / dlib.medianMs)
                print("  ours on \(line.threads) thread\(line.threads == 1 ? "" : "s"): \(ratio)")
            }
        }
        print("load \(loadAverage()) at the end")
    }

    func printLine(_ line: PipelineLine) {
        print(
            line.pipeline.padding(toLength: max(8, line.pipeline.count), withPad: " ", startingAt: 0)
                + String(
                    format: "  %3d  %6d  %8d  %5d  %9.1f  %7.1f",
                    line.threads, line.photos, line.oneFace, line.faces, line.medianMs, line.meanMs))
    }
}
