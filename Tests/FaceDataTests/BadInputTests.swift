import Foundation
import TestSupport
import Testing

@testable import FaceData

@Suite("Bad annotation input throws FaceDataError naming the file and line")
struct BadInputTests {
    static let goodASF: String = {
        (try? String(contentsOf: SharedData.imm.appendingPathComponent("01-1m.asf"), encoding: .utf8)) ?? ""
    }()

    /// The good file's text with line `number` (1-based) replaced.
    static func asf(replacingLine number: Int, with text: String) -> String {
        var lines = goodASF.components(separatedBy: "\n")
        lines[number - 1] = text
        return lines.joined(separator: "\n")
    }

    @Test("asf: garbage number, missing fields, wrong count, truncated, wrong index, trailing junk, missing file")
    func asfErrors() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        // Line 17 is point 0; line 10 is the count.
        var url = try folder.write(
            "garbage.asf", Self.asf(replacingLine: 17, with: "0 \t4 \t0.3576x \t0.64 \t0 \t0 \t1"))
        expectFaceDataError(.invalidNumber, mentions: ["garbage.asf:17", "0.3576x"]) {
            _ = try ASFShape(contentsOf: url)
        }
        url = try folder.write("nan.asf", Self.asf(replacingLine: 18, with: "0 \t4 \tnan \t0.64 \t1 \t0 \t2"))
        expectFaceDataError(.invalidNumber, mentions: ["nan.asf:18"]) { _ = try ASFShape(contentsOf: url) }
        url = try folder.write("fields.asf", Self.asf(replacingLine: 20, with: "0 4 0.3"))
        expectFaceDataError(.malformed, mentions: ["fields.asf:20", "7 fields"]) { _ = try ASFShape(contentsOf: url) }
        url = try folder.write("count.asf", Self.asf(replacingLine: 10, with: "57"))
        expectFaceDataError(.wrongPointCount, mentions: ["count.asf:10", "expected 58 points"]) {
            _ = try ASFShape(contentsOf: url)
        }
        url = try folder.write("range.asf", Self.asf(replacingLine: 17, with: "0 \t4 \t3.5 \t0.64 \t0 \t0 \t1"))
        expectFaceDataError(.outOfBounds, mentions: ["range.asf:17", "relative"]) { _ = try ASFShape(contentsOf: url) }
        url = try folder.write("index.asf", Self.asf(replacingLine: 19, with: "0 \t4 \t0.3 \t0.6 \t7 \t1 \t3"))
        expectFaceDataError(.malformed, mentions: ["index.asf:19", "point number 2"]) {
            _ = try ASFShape(contentsOf: url)
        }
        // Truncated in the middle of the point list (the file ends after line 40).
        let truncated = Self.goodASF.components(separatedBy: "\n").prefix(40).joined(separator: "\n")
        url = try folder.write("truncated.asf", truncated)
        expectFaceDataError(.wrongPointCount, mentions: ["truncated.asf", "expected 58 point lines, found 24"]) {
            _ = try ASFShape(contentsOf: url)
        }
        // A point line missing: the host image name arrives early.
        var lines = Self.goodASF.components(separatedBy: "\n")
        lines.remove(at: 73)  // point 57
        url = try folder.write("short.asf", lines.joined(separator: "\n"))
        expectFaceDataError(.wrongPointCount, mentions: ["short.asf", "found 57"]) { _ = try ASFShape(contentsOf: url) }
        url = try folder.write("junk.asf", Self.goodASF + "\nextra line\n")
        expectFaceDataError(.malformed, mentions: ["junk.asf:", "nothing after"]) { _ = try ASFShape(contentsOf: url) }
        url = try folder.write("empty.asf", "# only a comment\n")
        expectFaceDataError(.malformed, mentions: ["empty.asf"]) { _ = try ASFShape(contentsOf: url) }
        url = folder.url.appendingPathComponent("missing.asf")
        expectFaceDataError(.unreadable, mentions: ["missing.asf", "no such file"]) {
            _ = try ASFShape(contentsOf: url)
        }
        url = try folder.write("binary.asf", bytes: Data([0xFF, 0xD8, 0xFF, 0x00, 0x12]))
        #expect(throws: FaceDataError.self) { _ = try ASFShape(contentsOf: url) }
    }

    @Test("pts: garbage numbers, wrong point count, truncated, bad header, extra columns")
    func ptsErrors() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let good = try String(contentsOf: SharedData.w300Pts[0], encoding: .utf8)
        var lines = good.components(separatedBy: "\n")
        lines[9] = "12.5 abc"
        var url = try folder.write("garbage.pts", lines.joined(separator: "\n"))
        expectFaceDataError(.invalidNumber, mentions: ["garbage.pts:10", "abc"]) { _ = try PTSFile.read(url) }
        lines = good.components(separatedBy: "\n")
        lines[5] = "1 2 3"
        url = try folder.write("columns.pts", lines.joined(separator: "\n"))
        expectFaceDataError(.malformed, mentions: ["columns.pts:6", "'x y'"]) { _ = try PTSFile.read(url) }
        lines = good.components(separatedBy: "\n")
        lines.remove(at: 20)
        url = try folder.write("missing.pts", lines.joined(separator: "\n"))
        expectFaceDataError(.wrongPointCount, mentions: ["missing.pts", "n_points: 68", "67 points"]) {
            _ = try PTSFile.read(url)
        }
        url = try folder.write("truncated.pts", good.components(separatedBy: "\n").prefix(30).joined(separator: "\n"))
        expectFaceDataError(.malformed, mentions: ["truncated.pts:30", "truncated"]) { _ = try PTSFile.read(url) }
        url = try folder.write("header.pts", good.replacingOccurrences(of: "n_points:  68", with: "n_points: many"))
        expectFaceDataError(.malformed, mentions: ["header.pts:2", "n_points"]) { _ = try PTSFile.read(url) }
        url = try folder.write("five.pts", "1 1\n2 2\n3 3\n4 4\n5 5\n")
        expectFaceDataError(.wrongPointCount, mentions: ["five.pts", "expected 68 points, got 5"]) {
            _ = try PTSFile.read(url)
        }
        #expect(try PTSFile.read(url, expectedPointCount: 5).count == 5)
        url = try folder.write("inf.pts", "1 inf\n")
        expectFaceDataError(.invalidNumber, mentions: ["inf.pts:1"]) {
            _ = try PTSFile.read(url, expectedPointCount: nil)
        }
        url = try folder.write("empty.pts", "\n")
        expectFaceDataError(.wrongPointCount, mentions: ["empty.pts"]) {
            _ = try PTSFile.read(url, expectedPointCount: nil)
        }
    }

    @Test("imglab XML: malformed, truncated, bad attributes, part counts, boxes outside the image")
    func xmlErrors() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        func xml(_ body: String) -> String {
            "<?xml version='1.0'?>\n<dataset>\n<images>\n\(body)\n</images>\n</dataset>\n"
        }
        var url = try folder.write(
            "broken.xml", xml("<image file='a.jpg'>\n<box top='1' left='2' width='3' height='4'>\n</image>"))
        expectFaceDataError(.malformed, mentions: ["broken.xml:6", "well-formed XML", "does not match", "inside <box>"])
        { _ = try ImglabDataset(contentsOf: url) }
        let labels = try String(contentsOf: SharedData.labels, encoding: .isoLatin1)
        url = try folder.write("truncated.xml", String(labels.prefix(5000)))
        let error = expectFaceDataError(.malformed, mentions: ["truncated.xml:", "well-formed XML"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        #expect((error?.line ?? 0) > 50)
        url = try folder.write(
            "letters.xml", xml("<image file='a.jpg'>\n<box top='1' left='x2' width='3' height='4'/>\n</image>"))
        expectFaceDataError(.invalidNumber, mentions: ["letters.xml:5", "<image file='a.jpg'> box 1", "'left'", "x2"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write("noattr.xml", xml("<image file='a.jpg'>\n<box top='1' width='3' height='4'/>\n</image>"))
        expectFaceDataError(.malformed, mentions: ["noattr.xml:5", "attribute 'left'"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write("nofile.xml", xml("<image>\n</image>"))
        expectFaceDataError(.malformed, mentions: ["nofile.xml:4", "'file'"]) { _ = try ImglabDataset(contentsOf: url) }
        url = try folder.write(
            "outside.xml",
            xml(
                "<image file='a.jpg' width='100' height='100'>\n<box top='10' left='90' width='50' height='50'/>\n</image>"
            ))
        expectFaceDataError(.outOfBounds, mentions: ["outside.xml:5", "box 1", "100x100"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write(
            "part.xml",
            xml(
                "<image file='a.jpg' width='100' height='100'>\n<box top='10' left='10' width='50' height='50'>\n<part name='00' x='20' y='200'/>\n</box>\n</image>"
            ))
        expectFaceDataError(.outOfBounds, mentions: ["part.xml:6", "<part name='00'>", "y=200"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write(
            "partnum.xml",
            xml(
                "<image file='a.jpg'>\n<box top='10' left='10' width='50' height='50'>\n<part name='00' x='2.5' y='20'/>\n</box>\n</image>"
            ))
        expectFaceDataError(.invalidNumber, mentions: ["partnum.xml:6", "'x'", "2.5"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write(
            "zero.xml", xml("<image file='a.jpg'>\n<box top='10' left='10' width='0' height='50'/>\n</image>"))
        expectFaceDataError(.invalidNumber, mentions: ["zero.xml:5", "positive"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        url = try folder.write("root.xml", "<?xml version='1.0'?>\n<images></images>\n")
        expectFaceDataError(.malformed, mentions: ["root.xml"]) { _ = try ImglabDataset(contentsOf: url) }
        url = try folder.write("nested.xml", xml("<box top='1' left='1' width='3' height='4'/>"))
        expectFaceDataError(.malformed, mentions: ["nested.xml:4", "inside <image>"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
        // Part-count problems are found when the keypoints are asked for.
        url = try folder.write(
            "parts.xml",
            xml(
                "<image file='a.jpg'>\n<box top='10' left='10' width='50' height='50'>\n<part name='00' x='20' y='20'/>\n<part name='01' x='21' y='20'/>\n</box>\n</image>"
            ))
        let dataset = try ImglabDataset(contentsOf: url)
        let box = dataset.images[0].boxes[0]
        expectFaceDataError(.wrongPointCount, mentions: ["parts.xml:5", "a.jpg", "expected 68 parts, got 2"]) {
            _ = try box.keypoints(count: 68, file: url.path, element: "<image file='a.jpg'>")
        }
        expectFaceDataError(.wrongPointCount, mentions: ["'01'"]) {
            _ = try box.keypoints(count: 1, file: url.path, element: "a")
        }
        #expect(try box.keypoints(count: 2, file: url.path, element: "a") == [SIMD2(20.5, 20.5), SIMD2(21.5, 20.5)])
        url = folder.url.appendingPathComponent("absent.xml")
        expectFaceDataError(.unreadable, mentions: ["absent.xml", "no such file"]) {
            _ = try ImglabDataset(contentsOf: url)
        }
    }

    @Test("image headers: not an image, truncated JPEG")
    func headerErrors() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        var url = try folder.write("text.jpg", "hello")
        expectFaceDataError(.badImage, mentions: ["text.jpg", "JPEG or PNG"]) { _ = try ImageHeader.size(of: url) }
        let jpeg = try Data(contentsOf: SharedData.imm.appendingPathComponent("01-1m.jpg"))
        url = try folder.write("cut.jpg", bytes: jpeg.prefix(100))
        expectFaceDataError(.badImage, mentions: ["cut.jpg"]) { _ = try ImageHeader.size(of: url) }
    }
}
