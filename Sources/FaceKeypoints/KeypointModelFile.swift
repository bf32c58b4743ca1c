import Foundation

/// Trained keypoint models on disk: a safetensors state dict that PyTorch loads as it is, with
/// the ``KeypointModelSpec`` as JSON under the metadata key `facekeypoints.spec`.
public enum KeypointModelFile {
    /// The metadata key holding the spec.
    public static let specKey = "facekeypoints.spec"

    /// How the weights are stored.
    public enum Precision: String, Sendable, CaseIterable {
        /// 32-bit floats, as trained.
        case float32
        /// 16-bit floats (half the size; read back as 32-bit). BatchNorm's counters stay 64-bit integers.
        case float16
    }

    /// Writes `model` and its spec to `url` atomically, plus any `metadata`. A spec that
    /// ``load(_:expecting:)`` would refuse is not written: the error names the field.
    public static func save(
        _ model: Module, spec: KeypointModelSpec, to url: URL, metadata: [String: String] = [:],
        precision: Precision = .float32
    ) throws {
        do {
            try spec.validate()
        } catch {
            throw KeypointModelError(file: url.path, "not written: metadata '\(specKey)', \(error)")
        }
        let json = String(decoding: try JSONEncoder.sorted.encode(spec), as: UTF8.self)
        let state = model.stateDict()
        var dtypes = SafeTensors.pytorchDTypes(for: state.map(\.name))
        if precision == .float16 {
            for entry in state where dtypes[entry.name] == nil { dtypes[entry.name] = .f16 }
        }
        try SafeTensors.write(
            Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) }),
            metadata: metadata.merging([specKey: json, "architecture": spec.architecture.rawValue]) { $1 },
            dtypes: dtypes, to: url)
    }

    /// Rewrites the model file `source` to `destination` in `precision`, keeping its metadata
    /// and adding `metadata` (provenance, licence). Returns the written spec.
    @discardableResult
    public static func convert(
        _ source: URL, to destination: URL, precision: Precision, metadata: [String: String] = [:]
    ) throws -> KeypointModelSpec {
        let (model, spec, existing) = try load(source)
        try save(model, spec: spec, to: destination, metadata: existing.merging(metadata) { $1 }, precision: precision)
        return spec
    }

    /// Reads the spec of the model at `url` without building the model.
    public static func spec(of url: URL) throws -> (spec: KeypointModelSpec, metadata: [String: String]) {
        let file = try SafeTensors.read(contentsOf: url)
        return (try spec(from: file.metadata, file: url.path), file.metadata)
    }

    /// Builds the model described by the file at `url` and loads its weights (strictly).
    /// With `task`, refuses a model trained for another part of the study.
    public static func load(
        _ url: URL, expecting task: KeypointModelSpec.Task? = nil
    ) throws -> (model: Module, spec: KeypointModelSpec, metadata: [String: String]) {
        let file = try SafeTensors.read(contentsOf: url)
        let spec = try spec(from: file.metadata, file: url.path)
        if let task, spec.task != task {
            throw KeypointModelError(
                file: url.path,
                "this model was trained for '\(spec.task.rawValue)' (\(spec.architecture.rawValue)), expected a '\(task.rawValue)' model"
            )
        }
        var generator = RandomGenerator(seed: 0)
        let model = spec.makeModel(using: &generator)
        try model.loadStateDict(file.tensors, source: url.path)
        model.eval()
        return (model, spec, file.metadata)
    }

    static func spec(from metadata: [String: String], file: String) throws -> KeypointModelSpec {
        guard let json = metadata[specKey] else {
            throw KeypointModelError(
                file: file,
                "not a FaceKeypoints model: the metadata has no '\(specKey)' (train one with `keypoints nose`, `face` or `landmarks`)"
            )
        }
        let spec: KeypointModelSpec
        do {
            spec = try JSONDecoder().decode(KeypointModelSpec.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw KeypointModelError(
                file: file, "metadata '\(specKey)' is not a valid model description: \(describe(error))")
        } catch {
            throw KeypointModelError(file: file, "metadata '\(specKey)' is not a valid model description: \(error)")
        }
        do {
            try spec.validate()
        } catch {
            throw KeypointModelError(file: file, "metadata '\(specKey)', \(error)")
        }
        return spec
    }

    /// "field 'architecture': ..." from a decoding error, without Swift's type dump.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".")
                .description
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "field '\(path(context.codingPath + [key]))' is missing"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': expected \(type)"
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty
                ? "not JSON (\(context.debugDescription))" : "field '\(field)': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Adds `sorted` (internal): an encoder with sorted keys.
extension JSONEncoder {
    /// An encoder with sorted keys, for stable files.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
