// libFuzzer harness for every file reader of the package.
//
// Not a package target: `scripts/fuzz.sh` builds the libraries with `-sanitize=fuzzer,address`
// into `.build-fuzz` and links this file against them with libFuzzer's `main`. One binary
// serves every format; `FK_FUZZ_FORMAT` chooses the reader:
//
//   jpeg, png, pnm   Image(decoding:source:)           (Sources/Vision + CImageShims)
//   asf              ASFShape(parsing:file:)           (Sources/FaceData/ASF.swift)
//   pts              PTSFile.parse(_:file:)            (Sources/FaceData/PTS.swift)
//   imglab           ImglabDataset(data:file:)         (Sources/FaceData/Imglab.swift), then the
//                    faces with their image paths resolved (FaceAnnotations.imglab reads each
//                    image's size: a device or a FIFO named there must be refused, not read)
//   safetensors      SafeTensors.decode + loadStateDict into a small NoseNet (checkpoints)
//   model            KeypointModelFile.load (Sources/FaceKeypoints): the spec from the metadata
//                    key `facekeypoints.spec`, the model it describes, its weights; then, for a
//                    model that loads, KeypointModel.estimate on a small photo (what
//                    `keypoints predict` does next)
//   drawing          the input's bytes as Float32 boxes, points, radii and thicknesses (any
//                    value: 1e30, NaN, beyond Int's range) drawn on a small image, directly and
//                    as PhotoLandmarks.drawn(on:) draws `predict`'s faces
//
// An input passes when the reader returns a well-formed value or throws its typed error.
// Anything else (a crash, a trap, a sanitizer report, a non-typed error, an inconsistent
// value, a libFuzzer timeout or memory limit) is a finding.
//
// `FK_FUZZ_MAKE_SEEDS=<dir>` (with `FK_FUZZ_DATA=<shared data folder>`) writes the seed
// corpus for the chosen format to <dir> and exits; seeds are built from the real files in
// ../shared/data at run time and never committed.

import Foundation
import FaceData
import FaceKeypoints
import NN
import Tensor
import TensorIO
import Vision

enum FuzzFormat: String, CaseIterable {
    case jpeg, png, pnm, asf, pts, imglab, safetensors, model, drawing
}

nonisolated(unsafe) var fuzzFormat = FuzzFormat.jpeg
nonisolated(unsafe) var checkpointModel: NoseNet?
/// `KeypointModelFile` reads from a URL, so each model input is written here first (one file
/// per process, so that `-jobs` and `-fork` runs do not share it).
nonisolated(unsafe) var modelFileURL: URL?
/// The photo a model that loads is run on: 64x48 RGB, a gradient.
nonisolated(unsafe) var modelPhoto = Image(width: 64, height: 48, channels: 3,
                                           pixels: (0..<64 * 48 * 3).map { Float($0 % 197) / 196 })

/// The text of a file as `readText` in FaceData decodes it: UTF-8, else ISO Latin 1.
func text(_ data: Data) -> String? {
    String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
}

func findingIf(_ condition: Bool, _ message: @autoclosure () -> String) {
    if condition {
        FileHandle.standardError.write(Data("FINDING (\(fuzzFormat.rawValue)): \(message())\n".utf8))
        abort()
    }
}

func unexpected(_ error: any Error) -> Never {
    FileHandle.standardError.write(Data("FINDING (\(fuzzFormat.rawValue)): untyped error \(type(of: error)): \(error)\n".utf8))
    abort()
}

func fuzzOne(_ data: Data) {
    switch fuzzFormat {
    case .jpeg, .png, .pnm:
        do {
            let image = try Image(decoding: data, source: "fuzz")
            findingIf(image.width <= 0 || image.height <= 0 || !(1...4).contains(image.channels)
                      || image.pixels.count != image.width * image.height * image.channels,
                      "inconsistent image \(image.width)x\(image.height)x\(image.channels), \(image.pixels.count) samples")
            findingIf(image.width * image.height > Image.maximumPixelCount, "decoded past the pixel limit")
        } catch is ImageError {
        } catch { unexpected(error) }
    case .asf:
        guard let text = text(data) else { return }
        for expected in [58, nil] as [Int?] {
            do {
                let shape = try ASFShape(parsing: text, file: "fuzz.asf", expectedPointCount: expected)
                findingIf(shape.points.isEmpty || (expected != nil && shape.points.count != expected), "point count \(shape.points.count)")
                findingIf(shape.points.contains { !$0.x.isFinite || !$0.y.isFinite }, "non-finite point")
                _ = shape.keypoints(imageWidth: 640, imageHeight: 480)
                _ = try ASFShape(parsing: shape.formatted(), file: "roundtrip.asf", expectedPointCount: expected)
            } catch is FaceDataError {
            } catch { unexpected(error) }
        }
    case .pts:
        guard let text = text(data) else { return }
        for expected in [68, nil] as [Int?] {
            do {
                let points = try PTSFile.parse(text, file: "fuzz.pts", expectedPointCount: expected)
                findingIf(points.isEmpty || (expected != nil && points.count != expected), "point count \(points.count)")
                _ = PTSFile.format(points)
            } catch is FaceDataError {
            } catch { unexpected(error) }
        }
    case .imglab:
        do {
            let dataset = try ImglabDataset(data: data, file: "fuzz.xml")
            for face in dataset.faces {
                _ = face.box.boundingBox
                _ = try? face.box.keypoints(count: 68, file: "fuzz.xml", element: "box")
            }
            _ = try ImglabDataset(data: Data(dataset.formatted().utf8), file: "roundtrip.xml")
            // Resolve the image paths as training and evaluation do (sizes read from the files).
            if let scheme = try? LandmarkScheme(imglab: dataset, name: "fuzz", file: "fuzz.xml") {
                var skipped: [SkippedSample] = []
                _ = try FaceAnnotations.imglab(dataset, file: URL(fileURLWithPath: "/tmp/fuzz.xml"), scheme: scheme, allowingMissing: true,
                                               onBadSample: .skip, skipped: &skipped)
            }
        } catch is FaceDataError {
        } catch { unexpected(error) }
    case .safetensors:
        do {
            let file = try SafeTensors.decode(data, source: "fuzz.safetensors")
            findingIf(file.names.count != file.tensors.count || file.dtypes.count != file.tensors.count, "inconsistent file")
            for (name, tensor) in file.tensors {
                findingIf(tensor.scalars.count != tensor.shape.reduce(1, *), "'\(name)': \(tensor.scalars.count) scalars for shape \(tensor.shape)")
            }
            if let model = checkpointModel {
                try? model.loadStateDict(file.tensors, strict: true, source: "fuzz.safetensors")
                try? model.loadStateDict(file.tensors, strict: false, source: "fuzz.safetensors")
            }
        } catch is SafeTensorsError {
        } catch { unexpected(error) }
    case .model:
        guard let url = modelFileURL else { return }
        do { try data.write(to: url) } catch { fatalError("cannot write \(url.path): \(error)") }
        do {
            let (model, spec, _) = try KeypointModelFile.load(url)
            findingIf(spec.pointCount <= 0, "a model that predicts \(spec.pointCount) points loaded")
            // Small inputs only: a loaded model's weights fit in the input, so its spec cannot
            // describe a large network, but a 10-megapixel resample would still waste the run.
            let (pixels, overflow) = spec.inputWidth.multipliedReportingOverflow(by: spec.inputHeight)
            if !overflow, pixels > 0, pixels <= 1 << 20 {
                let points = try KeypointModel(network: model, spec: spec).estimate(in: modelPhoto).points
                findingIf(points.count != spec.pointCount, "detect returned \(points.count) points for a model of \(spec.pointCount)")
            }
        } catch is SafeTensorsError {
        } catch is StateDictError {
        } catch is KeypointModelError {
        } catch is KeypointInputError {
        } catch { unexpected(error) }
    case .drawing:
        drawFuzzed(data)
    }
}

/// Draws what the bytes say (read as Float32, cycled): boxes with thicknesses, disks, rings and
/// lines of any size, then the faces `predict` would draw from them. Only a trap or a hang can
/// fail: drawing clips everything to the 32x24 image.
func drawFuzzed(_ data: Data) {
    let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    guard !values.isEmpty else { return }
    var index = 0
    func next() -> Float { defer { index += 1 }; return values[index % values.count] }
    var image = Image(width: 32, height: 24, color: .black)
    var faces: [PhotoLandmarks.Face] = []
    for _ in 0..<Swift.min(8, Swift.max(1, values.count / 8)) {
        let box = BoundingBox(x: next(), y: next(), width: next(), height: next())
        let thickness = next(), center = Point(next(), next()), radius = next()
        image.drawRectangle(box, color: .yellow, thickness: thickness.isFinite && abs(thickness) < 1e9 ? Int(thickness) : 1)
        image.fillRectangle(box, color: .gray)
        image.fillCircle(center: center, radius: radius, color: .red)
        image.drawCircle(center: center, radius: radius, color: .red, thickness: thickness)
        image.drawLine(from: center, to: Point(box.x, box.y), color: .blue, thickness: thickness)
        faces.append(PhotoLandmarks.Face(box: box, score: nil, points5: [[center.x, center.y]], points: [[center.x, center.y], [radius, thickness]],
                                         confidence: [radius, thickness]))
    }
    _ = PhotoLandmarks(image: "fuzz", width: 32, height: 24, model: "fuzz", faces: faces).drawn(on: image)
}

// MARK: - Mutating model files

/// libFuzzer's own mutation of `size` bytes at `data`, in place, growing to at most `maxSize`.
@_extern(c, "LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// For model files, three mutations in four change only the JSON header of the safetensors file
/// and then rewrite its 8-byte length. A byte inserted into or deleted from the header of a
/// file otherwise shifts the header's end and makes it invalid JSON, so almost every mutated
/// spec would stop at the first check; this way the specs reach the model code. Other formats
/// (and the remaining quarter) get libFuzzer's usual mutations.
@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzerCustomMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard fuzzFormat == .model, seed % 4 != 0, size > 8 else { return LLVMFuzzerMutate(data, size, maxSize) }
    var declared: UInt64 = 0
    for i in 0..<8 { declared |= UInt64(data[i]) << (8 * UInt64(i)) }
    guard declared > 0, declared <= UInt64(size - 8) else { return LLVMFuzzerMutate(data, size, maxSize) }
    let length = Int(declared)
    let tail = Array(UnsafeBufferPointer(start: data + 8 + length, count: size - 8 - length))
    let room = maxSize - 8 - tail.count
    guard room >= length else { return LLVMFuzzerMutate(data, size, maxSize) }
    var header = Array(UnsafeBufferPointer(start: data + 8, count: length)) + [UInt8](repeating: 0, count: room - length)
    let newLength = header.withUnsafeMutableBufferPointer { LLVMFuzzerMutate($0.baseAddress!, length, room) }
    for i in 0..<8 { data[i] = UInt8(truncatingIfNeeded: UInt64(newLength) >> (8 * UInt64(i))) }
    header.withUnsafeBufferPointer { (data + 8).update(from: $0.baseAddress!, count: newLength) }
    tail.withUnsafeBufferPointer { if !$0.isEmpty { (data + 8 + newLength).update(from: $0.baseAddress!, count: $0.count) } }
    return 8 + newLength + tail.count
}

// MARK: - Seeds

/// Small versions of real images, so most fuzzing time goes into the decoders' parsing rather
/// than into pixel loops; a few full-size originals keep real encoder layouts in the corpus.
func realImages(_ root: URL) throws -> (small: [Image], originals: [URL]) {
    let imm = root.appendingPathComponent("imm_face_db")
    let afw = root.appendingPathComponent("300w_subset/afw")
    let full = root.appendingPathComponent("300w_fullsize")
    func jpegs(_ folder: URL, _ limit: Int) -> [URL] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".jpg") }.sorted()
        return names.prefix(limit).map { folder.appendingPathComponent($0) }
    }
    let originals = jpegs(imm, 3) + jpegs(afw, 3) + jpegs(full, 1)
    var small: [Image] = []
    for url in jpegs(imm, 6) + jpegs(afw, 6) {
        let image = try Image(contentsOf: url)
        let scale = 40 / Float(max(image.width, image.height))
        small.append(image.resized(width: max(1, Int(Float(image.width) * scale)), height: max(1, Int(Float(image.height) * scale))))
    }
    return (small, originals)
}

/// The image with an alpha channel (a horizontal ramp) appended.
func withAlpha(_ image: Image) -> Image {
    let ramp = (0..<image.width * image.height).map { Float($0 % image.width) / Float(max(1, image.width - 1)) }
    return Image(width: image.width, height: image.height, channels: image.channels + 1, pixels: image.pixels + ramp)
}

func makeSeeds(_ format: FuzzFormat, root: URL, into folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var count = 0
    func write(_ data: Data, _ ext: String) throws {
        try data.write(to: folder.appendingPathComponent(String(format: "seed-%03d.%@", count, ext)))
        count += 1
    }
    func copy(_ urls: [URL]) throws { for url in urls { try write(try Data(contentsOf: url), url.pathExtension) } }
    func files(_ folder: String, _ ext: String, _ limit: Int) -> [URL] {
        let dir = root.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix("." + ext) }.sorted()
        return names.prefix(limit).map { dir.appendingPathComponent($0) }
    }
    switch format {
    case .jpeg:
        let (small, originals) = try realImages(root)
        try copy(originals)
        for (i, image) in small.enumerated() {
            let variant = i % 2 == 0 ? image : image.grayscale()
            try write(try variant.encoded(as: .jpeg, quality: [50, 75, 92][i % 3]), "jpg")
        }
    case .png:
        let (small, _) = try realImages(root)
        for (i, image) in small.prefix(8).enumerated() {
            let variants = [image, image.grayscale(), withAlpha(image.rgb()), withAlpha(image.grayscale())]
            try write(try variants[i % 4].encoded(as: .png, bitDepth: i % 3 == 2 ? 16 : 8), "png")
        }
    case .pnm:
        let (small, _) = try realImages(root)
        for (i, image) in small.prefix(8).enumerated() {
            let variant = i % 2 == 0 ? image.rgb() : image.grayscale()
            try write(variant.pnmData(ascii: i % 4 >= 2), i % 2 == 0 ? "ppm" : "pgm")
        }
    case .asf:
        try copy(files("imm_face_db", "asf", 12))
    case .pts:
        try copy(files("300w_subset/afw", "pts", 8) + files("300w_fullsize", "pts", 4))
    case .imglab:
        // The first images of each real file, closed off as a complete document: small seeds
        // keep the fuzzer fast, and every element kind is already in the first images.
        for url in files("dlib_examples", "xml", 4) + [root.appendingPathComponent("300w_subset/labels.xml")] {
            let xml = try String(contentsOf: url, encoding: .utf8)
            var cut = xml.startIndex
            for _ in 0..<2 { if let end = xml.range(of: "</image>", range: cut..<xml.endIndex) { cut = end.upperBound } }
            let tail = xml[cut...].contains("</images>") ? "\n</images>\n</dataset>\n" : ""
            try write(Data((xml[..<cut] + tail).utf8), "xml")
        }
    case .safetensors:
        var generator = RandomGenerator(seed: 8)
        let model = NoseNet(inputHeight: 30, inputWidth: 30, points: 1, hidden: 4, using: &generator)
        let state = model.stateDict()
        let tensors = Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) })
        try write(Data(SafeTensors.encode(tensors, metadata: ["epoch": "3", "step": "120"],
                                          dtypes: SafeTensors.pytorchDTypes(for: state.map(\.name)))), "safetensors")
        for dtype in [SafeTensors.DType.f16, .bf16, .f64, .i64] {
            let small = ["a.weight": Tensor(shape: [2, 3], values: [1, -2, 3, dtype == .i64 ? 5 : 0.5, 0, 7]), "a.bias": Tensor(shape: [2], values: [1, 2]),
                         "empty": Tensor(shape: [0, 4], values: []), "scalar": Tensor(shape: [], values: [42])]
            try write(Data(SafeTensors.encode(small, metadata: ["format": "pt", "note": "\(dtype)"],
                                              dtypes: Dictionary(uniqueKeysWithValues: small.keys.map { ($0, dtype) }))), "safetensors")
        }
    case .model:
        try makeModelSeeds(write)
    case .drawing:
        let extremes: [Float] = [0, 1, -1, 0.5, 12, 1e7, -1e7, 1e20, 1e30, -1e30, .infinity, -.infinity, .nan, .greatestFiniteMagnitude,
                                 Float(Int.max), 9e18, 3.4e38, 1e-30]
        var generator = SystemRandomNumberGenerator()
        for seed in 0..<8 {
            let floats = (0..<64).map { i in seed == 0 ? Float(i % 7) * 4 : extremes[Int.random(in: 0..<extremes.count, using: &generator)] }
            try write(floats.withUnsafeBytes { Data($0) }, "bin")
        }
    }
    print("wrote \(count) \(format.rawValue) seeds to \(folder.path)")
}

/// Model files: two that load (the part-1 model as `keypoints nose` saves it, 80x60, and the
/// same network at 30x30, which fits 56 KB), the small one's weights under specs that do not fit
/// them or describe no usable model, specs alone (no weights) for the three architectures, and
/// files that are not models.
func makeModelSeeds(_ write: (Data, String) throws -> Void) throws {
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("fk-fuzz-seed-\(getpid()).safetensors")
    defer { try? FileManager.default.removeItem(at: temporary) }
    func saved(_ model: Module, spec: KeypointModelSpec) throws -> Data {
        try KeypointModelFile.save(model, spec: spec, to: temporary)
        return try Data(contentsOf: temporary)
    }
    /// A file with `model`'s weights and `json` as its spec, written as KeypointModelFile does.
    func withSpec(_ model: Module, _ json: String) throws -> Data {
        try model.save(to: temporary, metadata: [KeypointModelFile.specKey: json, "architecture": "NoseNet"])
        return try Data(contentsOf: temporary)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    func json(_ spec: KeypointModelSpec) throws -> String { String(decoding: try encoder.encode(spec), as: UTF8.self) }

    var generator = RandomGenerator(seed: 9)
    try write(try saved(NoseNet(using: &generator), spec: .nose), "safetensors")
    var small = KeypointModelSpec.nose
    (small.inputWidth, small.inputHeight) = (30, 30)
    let smallNet = NoseNet(inputHeight: 30, inputWidth: 30, points: 1, using: &generator)
    try write(try saved(smallNet, spec: small), "safetensors")

    // Specs that do not fit the weights, or describe no model at all.
    var variants: [(inout KeypointModelSpec) -> Void] = [
        { $0.inputWidth = 80 },                 // weights for 30x30: fc1 has the wrong shape
        { $0.inputWidth = 8 },                  // too small for three conv+pool stages
        { $0.inputWidth = -30 },
        { $0.inputWidth = 1 << 40 },            // a network larger than memory
        { $0.inputChannels = 2 },
        { $0.inputChannels = 3 },               // NoseNet takes grey images
        { $0.inputChannels = 0 },
        { $0.points = [] },
        { $0.points = [52, 99] },               // a point the imm58 scheme does not have
        { $0.points = nil },                    // all 58 points: fc2 has the wrong shape
        { $0.scheme = .ibug68 },               // another scheme: fc2 has the wrong shape
        { $0.crop = .faceBox(enlargement: 0) },
        { $0.crop = .faceBox(enlargement: -1.4) },
        { $0.pixels = .unit },
        { $0.task = .landmarks },
    ]
    for change in variants.indices {
        var spec = small
        variants[change](&spec)
        try write(try withSpec(smallNet, try json(spec)), "safetensors")
    }
    variants.removeAll()
    let smallJSON = try json(small)
    for edited in [smallJSON.replacingOccurrences(of: "\"NoseNet\"", with: "\"LeNet\""),           // unknown architecture
                   smallJSON.replacingOccurrences(of: "\"inputWidth\":30", with: "\"inputWidth\":30.5"),
                   smallJSON.replacingOccurrences(of: "\"task\":\"nose\",", with: ""),             // a key missing
                   "{", "null", "[]"] {
        try write(try withSpec(smallNet, edited), "safetensors")
    }
    // Specs at and past each bound: the largest scheme (refused later, for its weights), one point
    // more than that (refused while decoding), PIPNet's most neighbours and one more.
    for names in [LandmarkScheme.maximumPointCount, LandmarkScheme.maximumPointCount + 1] {
        let huge = smallJSON.replacingOccurrences(of: "\"scheme\":\"imm58\"",
                                                  with: "\"scheme\":{\"name\":\"huge\",\"pointNames\":[\((0..<names).map { "\"p\($0)\"" }.joined(separator: ","))]}")
            .replacingOccurrences(of: "\"points\":[52],", with: "")
        try write(try withSpec(smallNet, huge), "safetensors")
    }
    for neighbours in [KeypointModelSpec.maximumNeighbourCount, KeypointModelSpec.maximumNeighbourCount + 1] {
        var pipNet = KeypointModelSpec.landmarks
        pipNet.architecture = .pipNetResNet18
        pipNet.neighbours = (0..<68).map { point in Array((0..<68).filter { $0 != point }.prefix(neighbours)) }
        try write(Data(SafeTensors.encode([:], metadata: [KeypointModelFile.specKey: try json(pipNet)])), "safetensors")
    }
    // Specs without weights: the model is built, then the missing weights are refused.
    for spec in [KeypointModelSpec.nose, .face, .landmarks] {
        try write(Data(SafeTensors.encode([:], metadata: [KeypointModelFile.specKey: try json(spec)])), "safetensors")
    }
    // Not models: weights without a spec.
    try write(Data(SafeTensors.encode(["w": Tensor(shape: [2], values: [1, 2])], metadata: ["format": "pt"])), "safetensors")
}

// MARK: - libFuzzer entry points

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let environment = ProcessInfo.processInfo.environment
    guard let name = environment["FK_FUZZ_FORMAT"], let format = FuzzFormat(rawValue: name) else {
        FileHandle.standardError.write(Data("set FK_FUZZ_FORMAT to one of \(FuzzFormat.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    fuzzFormat = format
    if let seeds = environment["FK_FUZZ_MAKE_SEEDS"] {
        let root = URL(fileURLWithPath: environment["FK_FUZZ_DATA"] ?? "../shared/data")
        do {
            try makeSeeds(format, root: root, into: URL(fileURLWithPath: seeds))
            _exit(0)   // skip LeakSanitizer's exit check: the globals above are still alive
        } catch {
            FileHandle.standardError.write(Data("cannot make seeds: \(error)\n".utf8))
            exit(1)
        }
    }
    if format == .model {
        modelFileURL = FileManager.default.temporaryDirectory.appendingPathComponent("fk-fuzz-model-\(getpid()).safetensors")
    }
    if format == .safetensors {
        var generator = RandomGenerator(seed: 8)
        checkpointModel = NoseNet(inputHeight: 30, inputWidth: 30, points: 1, hidden: 4, using: &generator)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
    fuzzOne(data)
    return 0
}
