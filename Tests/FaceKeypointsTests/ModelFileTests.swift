import Foundation
import TestSupport
import Testing

@testable import FaceKeypoints

/// A model file's metadata is checked when it is read: any bad spec is one `KeypointModelError`
/// naming the file and the field, never a trap in the layers built from it.
@Suite struct ModelFileTests {
    /// A spec as a JSON object, to edit one field at a time.
    static func specObject(_ spec: KeypointModelSpec) throws -> [String: Any] {
        let data = try JSONEncoder.sorted.encode(spec)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test(arguments: [
        ("inputWidth", "10", "field 'inputWidth': 10 px is outside what NoseNet accepts"),
        ("inputHeight", "100000", "field 'inputHeight': 100000 px is outside"),
        ("inputWidth", "-3", "field 'inputWidth': -3 px"),
        ("inputChannels", "2", "field 'inputChannels': 2; NoseNet takes 1"),
        ("points", "[]", "field 'points': empty"),
        ("points", "[52, 58]", "field 'points[1]': 58 is not a point of imm58"),
        ("points", "[3, 3]", "field 'points[1]': point 3 appears twice"),
        ("scheme", "\"ibug86\"", "field 'scheme': 'ibug86' is not a known scheme"),
        ("architecture", "\"VGG16\"", "field 'architecture': Cannot initialize Architecture"),
        ("task", "7", "field 'task': expected String"),
        ("crop", "{\"faceBox\": {\"enlargement\": 0.1}}", "field 'crop.faceBox.enlargement': 0.1 is outside 1...4"),
        ("architecture", "\"Integral-ResNet18\"", "field 'inputWidth': 80 px; Integral-ResNet18 needs a multiple of 32")
    ])
    func badSpecIsOneClearError(field: String, value: String, expected: String) throws {
        var object = try Self.specObject(.nose)
        object[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        let metadata = [KeypointModelFile.specKey: try Self.json(object)]
        #expect {
            _ = try KeypointModelFile.spec(from: metadata, file: "bad.safetensors")
        } throws: { error in
            let message = String(describing: error)
            return error is KeypointModelError && message.hasPrefix("bad.safetensors: metadata 'facekeypoints.spec'")
                && message.contains(expected)
        }
    }

    @Test func missingFieldIsNamed() throws {
        var object = try Self.specObject(.nose)
        object["inputWidth"] = nil
        #expect(throws: KeypointModelError.self) {
            try KeypointModelFile.spec(from: [KeypointModelFile.specKey: try Self.json(object)], file: "m")
        }
        do {
            _ = try KeypointModelFile.spec(from: [KeypointModelFile.specKey: try Self.json(object)], file: "m")
        } catch {
            #expect(String(describing: error).contains("field 'inputWidth' is missing"))
        }
    }

    /// PIPNet's neighbour lists are checked as every other field: present exactly for PIPNet,
    /// one list per point, all of one length below the point count, other points, no repeats.
    @Test(arguments: [
        ("nil", "field 'neighbours': missing; PIPNet-ResNet18 needs"),
        ("[[1], [0]]", "field 'neighbours': 2 lists for 5 points"),
        ("[[1], [0], [0], [0], [0, 1]]", "field 'neighbours[4]': 2 neighbours; the first list has 1"),
        ("[[1], [0], [2], [0], [0]]", "field 'neighbours[2][0]': 2 is not another point"),
        ("[[1], [0], [9], [0], [0]]", "field 'neighbours[2][0]': 9 is not another point"),
        ("[[1, 1], [0, 2], [0, 1], [0, 1], [0, 1]]", "field 'neighbours[0]': [1, 1] lists a point twice"),
        ("[[], [], [], [], []]", "field 'neighbours[0]': 0 neighbours; expected 1...4")
    ])
    func badNeighbourListsAreOneClearError(value: String, expected: String) throws {
        var spec = KeypointModelSpec.custom(
            scheme: try LandmarkScheme(
                name: "five", pointNames: ["a", "b", "c", "d", "e"], mirror: nil, normalization: .boxSize),
            architecture: .pipNetResNet18, inputSize: 64)
        spec.neighbours = [[1], [0], [0], [0], [0]]
        try spec.validate()
        var object = try Self.specObject(spec)
        object["neighbours"] = value == "nil" ? nil : try JSONSerialization.jsonObject(with: Data(value.utf8))
        #expect {
            _ = try KeypointModelFile.spec(
                from: [KeypointModelFile.specKey: try Self.json(object)], file: "pip.safetensors")
        } throws: { error in
            String(describing: error).contains(expected)
        }
        spec.architecture = .resnet18
        #expect(throws: KeypointModelSpec.InvalidField.self) { try spec.validate() }  // lists on a regression model
        spec.neighbours = nil
        try spec.validate()
    }

    /// PIPNet's stride is its architecture's: a `PIPNet16-ResNet18` file rebuilds the stride-16
    /// network with its `deconv1` and `bn_deconv1` and the same outputs; the same weights under
    /// `PIPNet-ResNet18` are refused, naming the weights the stride-32 network lacks.
    @Test func pipNetStrideTravelsInTheArchitecture() throws {
        let folder = try CommandRunner.temporaryDirectory("stride")
        defer { try? FileManager.default.removeItem(at: folder) }
        var spec = KeypointModelSpec.custom(
            scheme: try LandmarkScheme(
                name: "five", pointNames: ["a", "b", "c", "d", "e"], mirror: nil,
                normalization: .boxSize), architecture: .pipNet16ResNet18, inputSize: 64)
        spec.neighbours = [[1], [0], [0], [0], [0]]
        var generator = RandomGenerator(seed: 16)
        let model = spec.makeModel(using: &generator)
        model.eval()
        let url = folder.appendingPathComponent("pip16.safetensors")
        try KeypointModelFile.save(model, spec: spec, to: url)
        let loaded = try KeypointModelFile.load(url)
        #expect(loaded.spec.architecture == .pipNet16ResNet18)
        let input = Tensor.randomNormal([1, 1, 64, 64], using: &generator)
        let output = withoutGradients { model(input) }, reloaded = withoutGradients { loaded.model(input) }
        #expect(output.shape == [1, 3 * 5 + 2 * 5, 4, 4], "64 px / 16")
        #expect(reloaded == output)

        spec.architecture = .pipNetResNet18
        let mislabelled = folder.appendingPathComponent("pip32.safetensors")
        try KeypointModelFile.save(model, spec: spec, to: mislabelled)
        #expect { _ = try KeypointModelFile.load(mislabelled) } throws: {
            String(describing: $0).contains("deconv1.weight")
        }
    }

    /// The three study specs and a 3-channel ResNet18 pass; the limits are the ones the models
    /// really have (NoseNet's smallest input still gives a feature map, one pixel less does not).
    @Test func studySpecsAndLimitsAreValid() throws {
        for spec in [KeypointModelSpec.nose, .face, .landmarks] { try spec.validate() }
        var colour = KeypointModelSpec.landmarks
        colour.inputChannels = 3
        try colour.validate()
        let side = KeypointModelSpec.nose.minimumInputSide
        #expect(NoseNet.featureSize(inputHeight: side, inputWidth: side).height == 1)
        #expect(NoseNet.featureSize(inputHeight: side - 1, inputWidth: side - 1).height == 0)
        var small = KeypointModelSpec.nose
        (small.inputWidth, small.inputHeight) = (side, side)
        try small.validate()
        small.inputWidth = side - 1
        #expect(throws: KeypointModelSpec.InvalidField.self) { try small.validate() }
    }

    /// The part-2 network was called FaceNet; files that say so still read, as the renamed one.
    @Test func specsWrittenBeforeTheRenameStillRead() throws {
        var object = try Self.specObject(.face)
        #expect(object["architecture"] as? String == "StudyPart2Net")
        object["architecture"] = "FaceNet"
        let spec = try JSONDecoder().decode(
            KeypointModelSpec.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(spec.architecture == .studyPart2Net && spec == .face)
        object["architecture"] = "FaceNet2"
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(
                KeypointModelSpec.self, from: try JSONSerialization.data(withJSONObject: object))
        }
    }

    /// The study's part 3 pads ResNet18's stem by 2: recorded in the spec, built into conv1,
    /// refused outside 0...3 and on other architectures.
    @Test func stemPaddingIsRecordedBuiltAndBounded() throws {
        let study = KeypointTask.landmarks(.study).spec
        #expect(study.stemPadding == 2 && KeypointTask.landmarks().spec.stemPadding == nil)
        try study.validate()
        var generator = RandomGenerator(seed: 0)
        let model = try #require(study.makeModel(using: &generator) as? ResNet)
        #expect(model.conv1.padding == (2, 2) && model.description.contains("padding=(2, 2)"))
        #expect(try Self.specObject(study)["stemPadding"] as? Int == 2)
        var wide = study
        wide.stemPadding = 4
        #expect { try wide.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "stemPadding" }
        var nose = KeypointModelSpec.nose
        nose.stemPadding = 2
        #expect { try nose.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "stemPadding" }
    }

    /// The spec stores FaceData's `PixelNormalization` itself: the names files always had read
    /// as before, ImageNet's per-channel statistics round-trip, and statistics that do not fit
    /// the channels are refused naming the field.
    @Test func pixelNormalizationIsStoredAsItselfAndChecked() throws {
        #expect(try Self.specObject(.landmarks)["pixels"] as? String == "centered")
        var colour = KeypointModelSpec.custom(scheme: .ibug68)
        colour.inputChannels = 3
        colour.pixels = .meanStd(mean: Image.imageNetMean, std: Image.imageNetStd)
        try colour.validate()
        let decoded = try JSONDecoder().decode(KeypointModelSpec.self, from: try JSONEncoder().encode(colour))
        #expect(decoded == colour)
        colour.pixels = .meanStd(mean: [0.5, 0.5], std: [0.2, 0.2])
        #expect { try colour.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "pixels" }
        colour.pixels = .meanStd(mean: [0.5], std: [0])
        #expect { try colour.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "pixels" }
        var object = try Self.specObject(.landmarks)
        object["pixels"] = "centred"
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(
                KeypointModelSpec.self, from: try JSONSerialization.data(withJSONObject: object))
        }
    }

    /// Structured fuzzing of the metadata: random fields get random values (extreme numbers,
    /// wrong types, unknown names, nested junk) or the JSON is cut short. Every spec is either
    /// refused with `KeypointModelError` or builds a model that runs on an input of its size.
    @Test func fuzzedMetadataIsRefusedOrUsable() throws {
        var generator = RandomGenerator(seed: 14)
        func below(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
        let fields = [
            "task", "architecture", "inputWidth", "inputHeight", "inputChannels", "scheme", "points", "crop", "pixels",
            "stemPadding", "extra"
        ]
        let values: [Any] = [
            0, 1, 2, 3, -1, 8, 33, 52, 57, 58, 67, 68, 240, 513, 1025, Int.max, Int.min, 1e308, -0.0, 1.5, "",
            "NoseNet",
            "FaceNet", "StudyPart2Net", "ResNet18", "nose", "landmarks", "imm58", "ibug68", "unit", "centered",
            "wholeImage", NSNull(),
            [Int](), [52], [0, 67], [-1], [Int.max], ["faceBox": ["enlargement": 1.4]],
            ["faceBox": ["enlargement": -1]],
            ["faceBox": [:] as [String: Any]], ["wholeImage": [:] as [String: Any]], ["x": [1, 2]], [[1]]
        ]
        let base = try Self.specObject(.nose), landmarks = try Self.specObject(.landmarks)
        var accepted = 0, refused = 0
        for round in 0..<600 {
            var object = base
            if below(3) == 0 { object = landmarks }
            for _ in 0...below(3) { object[fields[below(fields.count)]] = values[below(values.count)] }
            var text = try Self.json(object)
            if below(8) == 0 { text = String(text.prefix(below(text.count + 1))) }
            do {
                let spec = try KeypointModelFile.spec(from: [KeypointModelFile.specKey: text], file: "fuzz-\(round)")
                accepted += 1
                var modelGenerator = RandomGenerator(seed: 0)
                let model = spec.makeModel(using: &modelGenerator)
                model.eval()
                let output = withoutGradients {
                    model(Tensor.zeros([1, spec.inputChannels, spec.inputHeight, spec.inputWidth]))
                }
                #expect(output.shape == [1, 2 * spec.pointCount], "round \(round): \(text)")
            } catch is KeypointModelError {
                refused += 1
            }
        }
        print("fuzzed model metadata: \(accepted) accepted, \(refused) refused")
        #expect(
            accepted > 10 && refused > 100,
            "accepted \(accepted), refused \(refused): the mutations should reach both outcomes")
    }

    /// `kaggle` and every command that needs one part refuse a model file of another part.
    @Test func modelOfAnotherPartIsRefused() throws {
        let folder = try CommandRunner.temporaryDirectory("part")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nose.safetensors")
        var generator = RandomGenerator(seed: 1)
        try KeypointModelFile.save(KeypointModelSpec.nose.makeModel(using: &generator), spec: .nose, to: url)
        #expect {
            _ = try KeypointModel(contentsOf: url, expecting: .landmarks)
        } throws: { error in
            error is KeypointModelError
                && String(describing: error).contains("trained for 'nose' (NoseNet), expected a 'landmarks' model")
        }
        let xml = TestData.root.appendingPathComponent("dlib_examples/testing_with_face_landmarks.xml").path
        let kaggle = try CommandRunner.run([
            "kaggle", "--model", url.path, "--xml", xml, "--out", folder.appendingPathComponent("s.csv").path
        ])
        #expect(kaggle.status == 1)
        #expect(kaggle.error.contains("expected a 'landmarks' model"), "stderr: \(kaggle.error)")
    }
}
