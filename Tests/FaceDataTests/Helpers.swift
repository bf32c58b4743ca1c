import Foundation
import TestSupport
import Testing

@testable import FaceData

/// Paths into the shared data folder.
enum SharedData {
    static var root: URL { TestData.root }
    static var imm: URL { root.appendingPathComponent("imm_face_db") }
    static var w300: URL { root.appendingPathComponent("300w_subset") }
    static var labels: URL { w300.appendingPathComponent("labels.xml") }
    static var fullsize: URL { root.appendingPathComponent("300w_fullsize") }
    static var dlib: URL { root.appendingPathComponent("dlib_examples") }

    static func files(in folder: URL, extension ext: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// All 1207 300-W `.pts` files, afw then helen_train.
    static var w300Pts: [URL] {
        files(in: w300.appendingPathComponent("afw"), extension: "pts")
            + files(in: w300.appendingPathComponent("helen_train"), extension: "pts")
    }
}

/// A fresh temporary folder, removed by the caller with `cleanUp`.
struct TempFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("facedata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
    func write(_ name: String, bytes: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try bytes.write(to: file)
        return file
    }
    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// Expects `body` to throw a ``FaceDataError`` of `kind` whose message contains every string
/// in `mentions`; returns the error.
@discardableResult
func expectFaceDataError(
    _ kind: FaceDataError.Kind, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> FaceDataError? {
    do {
        try body()
        Issue.record("expected a FaceDataError (\(kind)), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as FaceDataError {
        #expect(error.kind == kind, "kind of: \(error)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(
                error.description.contains(text), "'\(text)' missing from: \(error)", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected a FaceDataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
