import Foundation
import TestSupport
import Testing
import Vision

@testable import FaceData

/// imglab files as dlib writes them and as hostile ones come: dlib's absent-part marker,
/// control characters in attributes, image paths that are not files, and schemes too large to
/// build a network for.
@Suite("imglab edge cases")
struct ImglabEdgeCaseTests {
    static let photo = SharedData.imm.appendingPathComponent("01-1m.jpg").path

    static func xml(parts: String, file: String = photo) -> String {
        """
        <?xml version='1.0' encoding='ISO-8859-1'?>
        <dataset><images>
          <image file='\(file)'>
            <box top='100' left='200' width='200' height='200'>\(parts)</box>
          </image>
        </images></dataset>
        """
    }

    @Test(
        "x='-1' y='-1' is dlib's absent part: masked as absent where points may be missing, refused where all are needed"
    )
    func absentParts() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let url = try folder.write(
            "absent.xml",
            Self.xml(
                parts:
                    "<part name='00' x='250' y='150'/><part name='01' x='-1' y='-1'/><part name='02' x='300' y='250'/>")
        )
        let dataset = try ImglabDataset(contentsOf: url)
        let scheme = try LandmarkScheme(
            name: "three", pointNames: LandmarkScheme.decimalNames(3), mirror: nil, normalization: .boxSize)
        var skipped: [SkippedSample] = []
        let faces = try FaceAnnotations.imglab(
            dataset, file: url, scheme: scheme, allowingMissing: true, skipped: &skipped)
        #expect(faces.count == 1 && faces[0].keypoints[0] == Point(250.5, 150.5) && !faces[0].keypoints[1].isPresent)
        let strict = #expect(throws: FaceDataError.self) {
            try FaceAnnotations.imglab(dataset, file: url, scheme: scheme, allowingMissing: false, skipped: &skipped)
        }
        #expect(
            strict?.description.contains("'01' is marked absent (x='-1' y='-1')") == true,
            "\(String(describing: strict))")
        let fixed = #expect(throws: FaceDataError.self) {
            try dataset.images[0].boxes[0].keypoints(count: 3, file: url.path, element: "box")
        }
        #expect(fixed?.description.contains("marked absent") == true)
        // Written back as dlib writes it.
        try dataset.write(to: url)
        #expect(try ImglabDataset(contentsOf: url) == dataset)
    }

    @Test("newline, tab and carriage return in a file name survive the writer as character references")
    func controlCharactersRoundTrip() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let dataset = ImglabDataset(name: "a\tb", images: [ImglabImage(file: "line\none\rtwo\tthree.jpg")])
        let url = folder.url.appendingPathComponent("names.xml")
        try dataset.write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("line&#10;one&#13;two&#9;three.jpg"))
        #expect(try ImglabDataset(contentsOf: url) == dataset)
    }

    @Test("an image path that is a device, a FIFO or a folder is refused when its size is read, never read without end")
    func imagePathsThatAreNotFiles() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let fifo = folder.url.appendingPathComponent("pipe.jpg")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let scheme = try LandmarkScheme(name: "one", pointNames: ["00"], mirror: nil, normalization: .boxSize)
        for (path, reason) in [("/dev/zero", "a device"), (fifo.path, "a FIFO"), (folder.url.path, "a folder")] {
            let url = try folder.write("paths.xml", Self.xml(parts: "<part name='00' x='250' y='150'/>", file: path))
            var skipped: [SkippedSample] = []
            let error = #expect(throws: FaceDataError.self) {
                try FaceAnnotations.imglab(
                    try ImglabDataset(contentsOf: url), file: url, scheme: scheme, allowingMissing: true,
                    skipped: &skipped)
            }
            #expect(
                error?.description.contains("cannot read the image: \(reason)") == true, "\(String(describing: error))")
        }
    }

    @Test("a scheme has at most LandmarkScheme.maximumPointCount points, refused before anything is built from it")
    func schemeSizeIsBounded() throws {
        let most = LandmarkScheme.maximumPointCount
        _ = try LandmarkScheme(
            name: "largest", pointNames: LandmarkScheme.decimalNames(most), mirror: nil, normalization: .boxSize)
        let error = #expect(throws: FaceDataError.self) {
            try LandmarkScheme(
                name: "huge", pointNames: LandmarkScheme.decimalNames(250_000), mirror: nil, normalization: .boxSize)
        }
        #expect(
            error?.description.contains("250000 points; a scheme has at most \(most)") == true,
            "\(String(describing: error))")
    }
}
