import FaceKeypoints
import Foundation

/// `SharedLandmarker [--tasks N] [PHOTO ...]`: finds every face's landmarks in the photos one
/// call at a time, then again with N tasks (default 8) sharing one landmarker, each task going
/// through all the photos from a different starting photo, and compares. Exits 1 unless every
/// task's results are identical to one call at a time (Docs/Concurrency.md: they are, bit for bit).
/// Without photos: three of dlib's example photos under `../shared/data/dlib_examples`.
@main
struct SharedLandmarker {
    static func main() async {
        do {
            try await run(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("SharedLandmarker: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: [String]) async throws {
        var taskCount = 8, paths: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--tasks" {
                guard let value = rest.popFirst().flatMap(Int.init), value >= 1 else {
                    throw UsageError("--tasks needs a positive count")
                }
                taskCount = value
            } else {
                paths.append(argument)
            }
        }
        if paths.isEmpty {
            paths = ["2008_002470.jpg", "2009_004587.jpg", "2008_001322.jpg"].map {
                "../shared/data/dlib_examples/" + $0
            }
        }
        let photos = try paths.map { try Image(contentsOf: URL(fileURLWithPath: $0)) }
        let landmarker = try FaceLandmarker()

        let serial = try photos.map { try landmarker.faces(in: $0) }
        let concurrent = try await withThrowingTaskGroup(of: (task: Int, faces: [[FaceLandmarks]]).self) { group in
            for task in 0..<taskCount {
                group.addTask {
                    var faces = [[FaceLandmarks]](repeating: [], count: photos.count)
                    for step in 0..<photos.count {
                        let index = (task + step) % photos.count
                        faces[index] = try await landmarker.faces(in: photos[index])
                    }
                    return (task, faces)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.task] = $1.faces }
        }

        for task in 0..<taskCount {
            for (index, expected) in serial.enumerated() where concurrent[task]![index] != expected {
                let deviation =
                    largestDeviation(concurrent[task]![index], from: expected).map { "by up to \($0) px" }
                    ?? "in its faces"
                throw UsageError(
                    "task \(task)'s landmarks for \(paths[index]) differ from one call at a time \(deviation)")
            }
        }
        let faceCount = serial.map(\.count).reduce(0, +)
        print(
            "\(photos.count) photos, \(faceCount) faces; \(taskCount) tasks sharing one landmarker: every result identical to one call at a time"
        )
    }
}

/// The largest coordinate difference between two results for one photo (boxes, five points,
/// points, confidences), or nil when they differ in their faces or points.
func largestDeviation(_ faces: [FaceLandmarks], from expected: [FaceLandmarks]) -> Float? {
    guard faces.count == expected.count else { return nil }
    var worst: Float = 0
    for (face, other) in zip(faces, expected) {
        guard face.points.count == other.points.count, (face.points5 ?? []).count == (other.points5 ?? []).count else {
            return nil
        }
        let boxes = [
            face.box.x - other.box.x, face.box.y - other.box.y, face.box.width - other.box.width,
            face.box.height - other.box.height
        ]
        let points = zip(face.points + (face.points5 ?? []), other.points + (other.points5 ?? [])).flatMap {
            [$0.x - $1.x, $0.y - $1.y]
        }
        let confidences = zip(face.confidences ?? [], other.confidences ?? []).map { $0 - $1 }
        worst = (boxes + points + confidences).reduce(worst) { max($0, abs($1)) }
    }
    return worst
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
