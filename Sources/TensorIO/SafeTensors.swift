import Foundation
import Tensor

/// Reads and writes the safetensors weight format, the format `safetensors.torch.save_file`
/// writes and PyTorch, JAX, MLX and tinygrad read.
///
/// A file is an 8-byte little-endian `UInt64` header length `N`, `N` bytes of UTF-8 JSON, then
/// the raw little-endian tensor data:
///
/// ```
/// {"__metadata__": {"format": "pt"},
///  "conv1.weight": {"dtype": "F32", "shape": [16, 1, 5, 5], "data_offsets": [0, 1600]}, ...}
/// ```
///
/// Tensors are `Float32` in memory. The reader accepts `F32`, `F16`, `BF16`, `F64` and `I64`
/// and converts them to `Float32` (`I64` exactly up to 2^24 in magnitude, rounded to nearest
/// beyond). The writer stores `F32` unless `dtypes` asks for another of those five per tensor.
/// Every file written has `"format": "pt"` in its metadata.
///
/// ```swift
/// let weights = ["fc.weight": Tensor([[1, 2], [3, 4]]), "fc.bias": Tensor([0.5, -0.5])]
/// try SafeTensors.write(weights, metadata: ["epoch": "12"], to: url)
/// let file = try SafeTensors.read(contentsOf: url)
/// print(file.tensors["fc.weight"]!.shape)   // [2, 2]
/// print(file.metadata)                        // ["format": "pt", "epoch": "12"]
/// ```
///
/// Everything read is validated before any tensor is built (header size, UTF-8, JSON, each
/// entry's dtype, shape and offsets, that the offsets tile the data exactly); every failure is
/// a ``SafeTensorsError`` naming the file and the key. No input makes the reader crash.
public enum SafeTensors {
    /// Headers longer than this are rejected, as the reference implementation does.
    public static let maximumHeaderLength = 100_000_000

    /// The metadata every written file carries unless `metadata` overrides it.
    public static let defaultMetadata = ["format": "pt"]

    // MARK: Writing

    /// The bytes of a safetensors file holding `tensors` and `metadata`.
    ///
    /// Tensors are laid out as the reference implementation lays them out: by dtype
    /// alignment (largest first), then by name (byte-wise). The header is padded with spaces
    /// to a multiple of 8 bytes. Metadata keys are written sorted (the reference writes them
    /// in hash order), and `metadata` is merged over ``defaultMetadata``.
    ///
    /// - Parameters:
    ///   - dtypes: the dtype to store each tensor as; tensors not named are stored as `F32`.
    ///     Names that are not tensors are ignored. Tensors stored as `I64` must hold integers.
    /// - Precondition: no tensor is named `__metadata__` and the header fits
    ///   ``maximumHeaderLength`` (``write(_:metadata:dtypes:to:)`` throws instead).
    public static func encode(
        _ tensors: [String: Tensor], metadata: [String: String] = [:],
        dtypes: [String: DType] = [:]
    ) -> [UInt8] {
        let plan = WritePlan(tensors: tensors, metadata: metadata, dtypes: dtypes)
        if let problem = plan.problem { preconditionFailure("SafeTensors.encode: \(problem.message)") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(plan.header.count + plan.dataByteCount)
        bytes.append(contentsOf: plan.header)
        for entry in plan.entries {
            emitData(of: entry) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes `tensors` and `metadata` to `url` atomically: the bytes go to a temporary file in
    /// the same directory, which is flushed to disk and then renamed over `url`. An existing
    /// file at `url` is replaced; a failed write leaves it untouched and no temporary behind.
    ///
    /// The layout is the one ``encode(_:metadata:dtypes:)`` describes; tensor data is streamed
    /// to the file without building the whole file in memory. A file no reader would accept
    /// (a header over ``maximumHeaderLength``, a tensor named `__metadata__`) throws
    /// ``SafeTensorsError`` before anything is written.
    public static func write(
        _ tensors: [String: Tensor], metadata: [String: String] = [:],
        dtypes: [String: DType] = [:], to url: URL
    ) throws {
        let plan = WritePlan(tensors: tensors, metadata: metadata, dtypes: dtypes)
        if let problem = plan.problem {
            throw SafeTensorsError(
                problem.kind, source: url.path, key: problem.key, message: "not written: \(problem.message)")
        }
        do {
            try AtomicFile.write(to: url) { sink in
                try plan.header.withUnsafeBytes { try sink($0) }
                for entry in plan.entries {
                    try emitData(of: entry, to: sink)
                }
            }
        } catch let error as AtomicFileError {
            throw SafeTensorsError(.io, source: error.path, message: error.message)
        }
    }

    /// The dtypes PyTorch uses for a state dict's `names`: `I64` for every
    /// `num_batches_tracked` buffer, `F32` (by omission) for the rest. Pass the result as
    /// `dtypes` to write a file whose dtypes match `torch.nn.Module.state_dict()` exactly.
    /// (PyTorch's `load_state_dict` also accepts an `F32` `num_batches_tracked`, casting it.)
    public static func pytorchDTypes<Names: Sequence<String>>(for names: Names) -> [String: DType] {
        var result: [String: DType] = [:]
        for name in names where name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked") {
            result[name] = .i64
        }
        return result
    }

    /// One file's tensors from named sections: `"fc.weight"` in section `"model"` is stored
    /// as `model.fc.weight`. ``SafeTensorsFile/tensors(inSection:)`` reads a section back.
    public static func joining(_ sections: [String: [String: Tensor]]) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (section, members) in sections {
            for (name, tensor) in members { tensors[section + "." + name] = tensor }
        }
        return tensors
    }

    // MARK: Reading

    /// Reads and validates the safetensors file at `url`. Errors name the file's path.
    public static func read(contentsOf url: URL) throws -> SafeTensorsFile {
        let data = try RegularFile.contents(of: url) {
            SafeTensorsError(.io, source: url.path, message: "cannot read the file: \($0)")
        }
        return try decode(data, source: url.path)
    }

    /// Decodes and validates the bytes of a safetensors file. `source` names the bytes in
    /// error messages (a path, a URL, "checkpoint download").
    public static func decode(_ data: Data, source: String) throws -> SafeTensorsFile {
        try data.withUnsafeBytes { try decode(raw: $0, source: source) }
    }

    /// Decodes and validates the bytes of a safetensors file. `source` names the bytes in
    /// error messages.
    public static func decode(_ bytes: [UInt8], source: String) throws -> SafeTensorsFile {
        try bytes.withUnsafeBytes { try decode(raw: $0, source: source) }
    }
}
