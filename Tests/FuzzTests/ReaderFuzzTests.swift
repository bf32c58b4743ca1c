import FaceData
import Foundation
import NN
import Tensor
import TensorIO
import TestSupport
import Testing
import Vision

/// The CI version of the reader fuzzing (the long libFuzzer run is `scripts/fuzz.sh`, see
/// Docs/Reliability.md): every reader gets `FK_FUZZ_ITERATIONS` (default 4000) seeded mutations
/// of real files from the shared data folder. Each input must either give a well-formed value
/// or throw the reader's typed error; a crash fails the run, and the slowest input must finish
/// in well under a second's worth of work (no hang).
///
/// Reproduce a failure with the same seed: the test logs the format and the round; setting
/// `FK_FUZZ_TRACE=1` prints each round before it runs, so the last line before a crash names
/// the input.
@Suite("Fuzzing every reader with seeded mutations of the real files")
struct ReaderFuzzTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["FK_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 4000
    }
    static let trace = ProcessInfo.processInfo.environment["FK_FUZZ_TRACE"] != nil
    /// An input taking longer than this counts as a hang (debug build, loaded CI machine).
    static let hangSeconds = 5.0

    struct Outcome { var accepted = 0, rejected = 0, slowest = 0.0, slowestRound = -1 }

    enum Verdict { case accepted, rejected }

    /// Runs `iterations` mutated inputs through `body`, which returns whether the reader
    /// accepted the input; it throws only for errors that are not the reader's typed error.
    /// Both verdicts must occur: with no accepted input the mutations (or the reader) never
    /// get past the parsing of a valid file, and with no rejected one they change nothing.
    func fuzz(
        _ format: String, seed: UInt64, seeds: [[UInt8]], dictionary: [String] = [], text: Bool = false,
        fixUp: (([UInt8], Int) -> [UInt8])? = nil, _ body: (Data) throws -> Verdict
    ) -> Outcome {
        var outcome = Outcome()
        guard !seeds.isEmpty else {
            Issue.record("\(format): no seed files; is the shared data at \(TestData.root.path)?")
            return outcome
        }
        var mutator = Mutator(seed: seed, seeds: seeds, dictionary: dictionary, isText: text)
        let clock = ContinuousClock()
        for round in 0..<Self.iterations {
            let mutated = mutator.next()
            let input = Data(fixUp?(mutated, round) ?? mutated)
            if Self.trace { print("fuzz \(format) seed \(seed) round \(round): \(input.count) bytes") }
            let start = clock.now
            do {
                switch try body(input) {
                case .accepted: outcome.accepted += 1
                case .rejected: outcome.rejected += 1
                }
            } catch {
                Issue.record("\(format) seed \(seed) round \(round): untyped error \(type(of: error)): \(error)")
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > outcome.slowest {
                outcome.slowest = seconds
                outcome.slowestRound = round
            }
        }
        print(
            "fuzz \(format): \(Self.iterations) inputs, \(outcome.accepted) accepted, \(outcome.rejected) rejected with the typed error, slowest \(String(format: "%.3f", outcome.slowest)) s"
        )
        #expect(outcome.accepted + outcome.rejected == Self.iterations)
        #expect(outcome.accepted > 0, "\(format): no mutated input was accepted")
        #expect(outcome.rejected > 0, "\(format): no mutated input was rejected")
        #expect(
            outcome.slowest < Self.hangSeconds, "\(format): round \(outcome.slowestRound) took \(outcome.slowest) s")
        return outcome
    }

    // MARK: Images

    /// Small versions of real photos (40 px on the longer side): the mutations then exercise the
    /// decoders' parsing rather than pixel loops.
    static func smallRealImages(count: Int = 6) throws -> [Image] {
        let urls =
            SharedFiles.list("imm_face_db", "jpg", count / 2)
            + SharedFiles.list("300w_subset/afw", "jpg", count - count / 2)
        return try urls.map { url in
            let image = try Image(contentsOf: url)
            let scale = 40 / Float(max(image.width, image.height))
            return image.resized(
                width: max(1, Int(Float(image.width) * scale)), height: max(1, Int(Float(image.height) * scale)))
        }
    }

    func decodeImage(_ data: Data) throws -> Verdict {
        do {
            let image = try Image(decoding: data, source: "fuzz")
            #expect(
                image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * image.channels
            )
            return .accepted
        } catch is ImageError {
            return .rejected
        }
    }

    @Test("JPEG: mutated real photos throw ImageError or decode")
    func jpeg() throws {
        var seeds = try Self.smallRealImages().enumerated().map { i, image in
            [UInt8](try (i % 2 == 0 ? image : image.grayscale()).encoded(as: .jpeg, quality: [60, 92][i % 2]))
        }
        // Real encoder layouts: the smallest 300-W photo as published, and the EXIF/CMYK fixtures.
        if let photo = SharedFiles.list("300w_fullsize", "jpg", 8).min(by: {
            SharedFiles.size($0) < SharedFiles.size($1)
        }) {
            seeds.append([UInt8](try Data(contentsOf: photo)))
        }
        for name in ["vision_cmyk.jpg", "vision_exif_6.jpg", "vision_gray.jpg"] {
            seeds.append([UInt8](try Data(contentsOf: Fixture.directory.appendingPathComponent(name))))
        }
        let outcome = fuzz("jpeg", seed: 11, seeds: seeds, decodeImage)
        #expect(outcome.accepted > Self.iterations / 10 && outcome.rejected > Self.iterations / 10)
    }

    @Test("PNG: mutated real photos throw ImageError or decode")
    func png() throws {
        var seeds: [[UInt8]] = []
        for (i, image) in try Self.smallRealImages(count: 4).enumerated() {
            let ramp = (0..<image.pixelCount).map { Float($0 % image.width) / Float(image.width) }
            let rgba = Image(width: image.width, height: image.height, channels: 4, pixels: image.rgb().pixels + ramp)
            seeds.append(
                [UInt8](try [image, image.grayscale(), rgba, image][i].encoded(as: .png, bitDepth: i == 3 ? 16 : 8)))
        }
        for name in ["vision_png_palette_alpha.png", "vision_png_bilevel.png", "vision_png_gray_alpha.png"] {
            seeds.append([UInt8](try Data(contentsOf: Fixture.directory.appendingPathComponent(name))))
        }
        // Half the inputs get their chunk CRCs repaired, so the mutations reach libpng's chunk
        // and pixel parsing instead of stopping at the CRC check.
        let outcome = fuzz(
            "png", seed: 12, seeds: seeds,
            fixUp: { bytes, round in round % 2 == 0 ? Self.repairingPNGChecksums(bytes) : bytes },
            decodeImage)
        #expect(outcome.rejected > Self.iterations / 10)
    }

    @Test("PPM/PGM: mutated real photos throw ImageError or decode")
    func pnm() throws {
        let images = try Self.smallRealImages(count: 4)
        let seeds = images.enumerated().map { i, image in
            [UInt8]((i % 2 == 0 ? image.rgb() : image.grayscale()).pnmData(ascii: i >= 2))
        }
        let outcome = fuzz(
            "pnm", seed: 13, seeds: seeds, dictionary: ["P2", "P3", "P5", "P6", "65535", "#"], decodeImage)
        #expect(outcome.accepted > Self.iterations / 10 && outcome.rejected > Self.iterations / 10)
    }

    /// `bytes` with the CRC of every complete chunk recomputed.
    static func repairingPNGChecksums(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var i = 8
        while i + 12 <= out.count {
            let length = Int(out[i]) << 24 | Int(out[i + 1]) << 16 | Int(out[i + 2]) << 8 | Int(out[i + 3])
            guard length <= out.count - i - 12 else { break }
            var crc: UInt32 = 0xFFFF_FFFF
            for b in out[(i + 4)..<(i + 8 + length)] {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            crc = ~crc
            for k in 0..<4 { out[i + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
            i += 12 + length
        }
        return out
    }

    // MARK: Annotations

    /// Parses with each expected point count (`nil`: any); accepted when one parse succeeds,
    /// the reader's `FaceDataError` counting as a rejection and any other error failing the test.
    static func verdict(expectingPoints counts: [Int?], _ parse: (Int?) throws -> Void) throws -> Verdict {
        var verdict = Verdict.rejected
        for expected in counts {
            do {
                try parse(expected)
                verdict = .accepted
            } catch is FaceDataError {}
        }
        return verdict
    }

    static func text(_ data: Data) -> String? {
        String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
    }

    @Test(".asf: mutated IMM shape files throw FaceDataError or parse")
    func asf() throws {
        let seeds = try SharedFiles.list("imm_face_db", "asf", 6).map { [UInt8](try Data(contentsOf: $0)) }
        let outcome = fuzz("asf", seed: 14, seeds: seeds, dictionary: ["#", "58", "\t", "nan"], text: true) { data in
            guard let text = Self.text(data) else { return .rejected }
            return try Self.verdict(expectingPoints: [58, nil]) { expected in
                let shape = try ASFShape(parsing: text, file: "fuzz.asf", expectedPointCount: expected)
                #expect(!shape.points.isEmpty && shape.points.allSatisfy { $0.x.isFinite && $0.y.isFinite })
                #expect(
                    try ASFShape(parsing: shape.formatted(), file: "again.asf", expectedPointCount: expected).points
                        .count == shape.points.count)
            }
        }
        #expect(outcome.rejected > Self.iterations / 10)
    }

    @Test(".pts: mutated 300-W landmark files throw FaceDataError or parse")
    func pts() throws {
        let seeds = try (SharedFiles.list("300w_subset/afw", "pts", 4) + SharedFiles.list("300w_fullsize", "pts", 2))
            .map { [UInt8](try Data(contentsOf: $0)) }
        let outcome = fuzz("pts", seed: 15, seeds: seeds, dictionary: ["n_points:", "{", "}", "version: 1"], text: true)
        { data in
            guard let text = Self.text(data) else { return .rejected }
            return try Self.verdict(expectingPoints: [68, nil]) { expected in
                let points = try PTSFile.parse(text, file: "fuzz.pts", expectedPointCount: expected)
                #expect(!points.isEmpty)
            }
        }
        #expect(outcome.rejected > Self.iterations / 10)
    }

    @Test("imglab XML: mutated dlib and 300-W label files throw FaceDataError or parse")
    func imglab() throws {
        // The first two images of each real file, closed off as a complete document.
        let files =
            SharedFiles.list("dlib_examples", "xml", 4) + [
                TestData.root.appendingPathComponent("300w_subset/labels.xml")
            ]
        let seeds = try files.map { url -> [UInt8] in
            let xml = try String(contentsOf: url, encoding: .utf8)
            var cut = xml.startIndex
            for _ in 0..<2 {
                if let end = xml.range(of: "</image>", range: cut..<xml.endIndex) { cut = end.upperBound }
            }
            let tail = xml[cut...].contains("</images>") ? "\n</images>\n</dataset>\n" : ""
            return Array((xml[..<cut] + tail).utf8)
        }
        let dictionary = [
            "<box top='1' left='2' width='3' height='4'>", "</box>", "<part name='00' x='1' y='2'/>", "</image>",
            "<image file='a.jpg' width='10' height='10'>", "ignore='1'", "&amp;", "<!--", "-->", "<![CDATA["
        ]
        let outcome = fuzz("imglab", seed: 16, seeds: seeds, dictionary: dictionary, text: true) { data in
            do {
                let dataset = try ImglabDataset(data: data, file: "fuzz.xml")
                for face in dataset.faces {
                    do {
                        _ = try face.box.keypoints(count: 68, file: "fuzz.xml", element: "box")
                    } catch is FaceDataError {}
                }
                #expect(try ImglabDataset(data: Data(dataset.formatted().utf8), file: "again.xml") == dataset)
                return .accepted
            } catch is FaceDataError {
                return .rejected
            }
        }
        #expect(outcome.rejected > Self.iterations / 10)
    }

    // MARK: Weights and checkpoints

    @Test("safetensors: mutated weight files and checkpoints throw SafeTensorsError or load")
    func safetensors() throws {
        var generator = RandomGenerator(seed: 8)
        let model = NoseNet(inputHeight: 30, inputWidth: 30, points: 1, hidden: 4, using: &generator)
        let state = model.stateDict()
        let tensors = Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) })
        var seeds = [
            SafeTensors.encode(
                tensors, metadata: ["epoch": "3"], dtypes: SafeTensors.pytorchDTypes(for: state.map(\.name)))
        ]
        for dtype in [SafeTensors.DType.f16, .bf16, .f64, .i64] {
            let small = [
                "a.weight": Tensor(shape: [2, 3], values: [1, -2, 3, 5, 0, 7]),
                "a.bias": Tensor(shape: [2], values: [1, 2]),
                "empty": Tensor(shape: [0, 4], values: []), "scalar": Tensor(shape: [], values: [42])
            ]
            seeds.append(
                SafeTensors.encode(
                    small, metadata: ["note": "\(dtype)"],
                    dtypes: Dictionary(uniqueKeysWithValues: small.keys.map { ($0, dtype) })))
        }
        for name in [
            "safetensors_reference.safetensors", "safetensors_mixed.safetensors", "safetensors_metadata.safetensors"
        ] {
            seeds.append([UInt8](try Data(contentsOf: Fixture.directory.appendingPathComponent(name))))
        }
        let dictionary = [
            "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F16\"", "\"I64\"", "\"U8\"",
            "18446744073709551615", "9223372036854775808", "[]", "{}", "null", "\\u0000", "\\ud800"
        ]
        let outcome = fuzz("safetensors", seed: 17, seeds: seeds, dictionary: dictionary) { data in
            do {
                let file = try SafeTensors.decode(data, source: "fuzz.safetensors")
                #expect(file.names.count == file.tensors.count)
                for tensor in file.tensors.values { #expect(tensor.scalars.count == tensor.shape.reduce(1, *)) }
                do {
                    try model.loadStateDict(file.tensors, source: "fuzz.safetensors")
                } catch is StateDictError {}
                return .accepted
            } catch is SafeTensorsError {
                return .rejected
            }
        }
        #expect(outcome.rejected > Self.iterations / 10)
    }
}

/// Files of the shared data folder, sorted by name.
enum SharedFiles {
    static func list(_ folder: String, _ ext: String, _ limit: Int) -> [URL] {
        let dir = TestData.root.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
            $0.hasSuffix("." + ext)
        }.sorted()
        return names.prefix(limit).map { dir.appendingPathComponent($0) }
    }

    static func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }
}
