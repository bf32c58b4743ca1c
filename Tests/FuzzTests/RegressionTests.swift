import FaceData
import Foundation
import NN
import TestSupport
import Testing
import Vision

/// Inputs that crashed a reader or made it allocate memory from a size its header declared
/// (found while fuzzing, see Docs/Reliability.md), kept so they stay fixed.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
    /// The ``ImageError`` decoding `bytes` throws, or `nil` when they decode; any other error
    /// is thrown on, failing the test.
    func imageError(_ bytes: [UInt8]) throws -> ImageError? {
        do {
            _ = try Image(decoding: Data(bytes), source: "regression")
            return nil
        } catch let error as ImageError {
            return error
        }
    }

    /// Every reader below must refuse these without allocating what the header declares: run
    /// under `-malloc_limit_mb` in the libFuzzer harness; here the time bound catches the
    /// multi-gigabyte fill that used to happen.
    func quickly(_ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        #expect(clock.now - start < .seconds(2))
    }

    @Test("PNM: a header declaring 10000x10000 without the samples is truncated, not a 1.2 GB allocation")
    func pnmDeclaredSize() throws {
        try quickly {
            for header in [
                "P6 10000 10000 255\n", "P5 10000 10000 65535\n", "P3 10000 10000 255\n1 2 3", "P2\n10000 10000\n255\n"
            ] {
                let error = try imageError(Array(header.utf8))
                #expect(error?.reason == .truncated, "\(header): \(String(describing: error))")
            }
        }
        // The same check still accepts a complete ASCII file.
        #expect(try imageError(Array("P2 2 1 255\n0 255\n".utf8)) == nil)
        #expect(try imageError(Array("P3\n1 1\n255\n1 2 3".utf8)) == nil)
    }

    @Test("PNG: a 100-byte file declaring 9000x9000 is refused before libpng's pixel buffer is allocated")
    func pngDeclaredSize() throws {
        let gray = [UInt8](try Data(contentsOf: Fixture.directory.appendingPathComponent("vision_png_gray.png")))
        let png = TestSupport.png(gray, declaringWidth: 9000, height: 9000)
        try quickly {
            let error = try imageError(png)
            #expect(error?.reason == .truncated, "\(String(describing: error))")
            #expect(error?.detail.contains("cannot hold the declared 9000x9000 image") == true)
        }
        // Real PNGs, including the tiny 1-bit one, still decode.
        for name in ["vision_png_bilevel.png", "vision_png_rgb16.png", "vision_png_palette_alpha.png"] {
            #expect(
                try imageError([UInt8](Data(contentsOf: Fixture.directory.appendingPathComponent(name)))) == nil,
                "\(name)")
        }
    }

    @Test(".asf: an absurd declared point count throws instead of trapping in reserveCapacity")
    func asfDeclaredCount() throws {
        let text = "# shape\n1000000000000000000\n0 0 0.5 0.5 0 0 0\nface.jpg\n"
        let anyCount = try #require(throws: FaceDataError.self) {
            try ASFShape(parsing: text, file: "huge.asf", expectedPointCount: nil)
        }
        #expect(anyCount.kind == .wrongPointCount, "\(anyCount)")
        let fiftyEight = try #require(throws: FaceDataError.self) { try ASFShape(parsing: text, file: "huge.asf") }
        #expect(
            fiftyEight.kind == .wrongPointCount && fiftyEight.description.contains("declares 1000000000000000000"),
            "\(fiftyEight)")
    }
}

@Suite("Fuzzing regressions: imglab XML")
struct ImglabFuzzRegressionTests {
    /// The ``FaceDataError`` reading `xml` throws, or `nil` when it parses; any other error is
    /// thrown on, failing the test.
    func malformed(_ xml: String) throws -> FaceDataError? {
        try malformed(Data(xml.utf8))
    }

    func malformed(_ data: Data) throws -> FaceDataError? {
        do {
            _ = try ImglabDataset(data: data, file: "fuzz.xml")
            return nil
        } catch let error as FaceDataError {
            return error
        }
    }

    @Test("a processing instruction without data throws instead of crashing Foundation's XMLParser")
    func processingInstructionWithoutData() throws {
        // The fuzzer's crash input (XMLParser dereferenced NULL in _NSXMLParserProcessingInstruction).
        let crash = "<?xm48?>?l<mx\n-stylesheet type='text/xsl' ehf=r'image_metadata_stsset>\n"
        #expect(try malformed(crash)?.kind == .malformed)
        let error = try malformed("<?xml version='1.0'?>\n<dataset>\n<?foo?><images/></dataset>")
        #expect(error?.kind == .malformed && error?.line == 3, "\(String(describing: error))")
        #expect(error?.message.contains("'<?foo?>' has none") == true)
        // UTF-16, other encodings and DOCTYPE would hide the instruction from the byte scan.
        #expect(try malformed("<?xml version='1.0' encoding='UTF-16'?><dataset/>")?.kind == .malformed)
        #expect(
            try malformed("<!DOCTYPE d [<!ENTITY e \"&#60;?foo?&#62;\">]><dataset>&e;</dataset>")?.kind == .malformed)
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("<dataset/>".data(using: .utf16LittleEndian)!)
        let utf16Error = try malformed(utf16)
        #expect(
            utf16Error?.kind == .malformed && utf16Error?.message.contains("UTF-16") == true,
            "\(String(describing: utf16Error))")
    }

    @Test("dlib's own files, with their declaration and stylesheet instruction, still parse")
    func dlibFilesStillParse() throws {
        let xml = """
            <?xml version='1.0' encoding='ISO-8859-1'?>
            <?xml-stylesheet type='text/xsl' href='image_metadata_stylesheet.xsl'?>
            <dataset><name>x</name><images><image file='a.jpg'><box top='1' left='2' width='3' height='4'/></image></images></dataset>
            """
        #expect(try malformed(xml) == nil)
        let real = TestData.root.appendingPathComponent("dlib_examples/training_with_face_landmarks.xml")
        #expect(try ImglabDataset(contentsOf: real).images.count > 0)
    }
}
