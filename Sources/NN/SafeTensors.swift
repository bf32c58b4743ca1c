import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Public API

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
    /// The element types this implementation reads and writes.
    public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
        /// IEEE 754 half precision.
        case f16 = "F16"
        /// bfloat16: the upper 16 bits of a `Float32`.
        case bf16 = "BF16"
        /// IEEE 754 single precision, stored without conversion.
        case f32 = "F32"
        /// IEEE 754 double precision.
        case f64 = "F64"
        /// Signed 64-bit integers, as PyTorch stores `BatchNorm`'s `num_batches_tracked`.
        case i64 = "I64"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .f16, .bf16: 2
            case .f32: 4
            case .f64, .i64: 8
            }
        }

        /// Position in the reference implementation's `Dtype` enum, which lists dtypes by
        /// increasing alignment; the writer orders tensors by this, descending, then by name.
        var referenceOrder: Int {
            switch self {
            case .f16: 13
            case .bf16: 14
            case .f32: 17
            case .f64: 19
            case .i64: 20
            }
        }

        public var description: String { rawValue }
    }

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
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                              dtypes: [String: DType] = [:]) -> [UInt8] {
        let plan = WritePlan(tensors: tensors, metadata: metadata, dtypes: dtypes)
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
    /// to the file without building the whole file in memory.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                             dtypes: [String: DType] = [:], to url: URL) throws {
        let plan = WritePlan(tensors: tensors, metadata: metadata, dtypes: dtypes)
        try AtomicFile.write(to: url) { sink in
            try plan.header.withUnsafeBytes { try sink($0) }
            for entry in plan.entries {
                try emitData(of: entry, to: sink)
            }
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

    // MARK: Reading

    /// Reads and validates the safetensors file at `url`. Errors name the file's path.
    public static func read(contentsOf url: URL) throws -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError(.io, source: url.path, message: "cannot read the file: \(error.localizedDescription)")
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

/// The contents of a safetensors file.
public struct SafeTensorsFile: Sendable {
    /// Every tensor, converted to `Float32`, by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` object (empty when the file has none).
    public var metadata: [String: String]
    /// The tensor names in the order their data is stored.
    public var names: [String]
    /// The dtype each tensor was stored as; pass it back to `SafeTensors.write` to keep it.
    public var dtypes: [String: SafeTensors.DType]

    public init(tensors: [String: Tensor], metadata: [String: String], names: [String], dtypes: [String: SafeTensors.DType]) {
        self.tensors = tensors
        self.metadata = metadata
        self.names = names
        self.dtypes = dtypes
    }

    /// The tensor called `name`, if there is one.
    public subscript(name: String) -> Tensor? { tensors[name] }
}

/// A safetensors file (or its bytes) could not be read or is malformed.
///
/// The description names the source, the key, and what was expected, e.g.
/// `weights.safetensors: 'conv1.weight': data_offsets [0, 96] span 96 bytes, but F32 with
/// shape [16, 1, 5, 5] needs 1600 bytes`.
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What kind of problem was found.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read or written.
        case io
        /// The file is shorter than its 8-byte length prefix or its declared header.
        case truncated
        /// The declared header is longer than ``SafeTensors/maximumHeaderLength``.
        case headerTooLarge
        /// The header is not UTF-8, not JSON, or not a JSON object.
        case invalidHeader
        /// A tensor entry is not an object, lacks `dtype`, `shape` or `data_offsets`, or has
        /// values of the wrong type.
        case invalidEntry
        /// A `dtype` that the safetensors format does not define.
        case unknownDType
        /// A `dtype` the format defines but this reader does not convert to `Float32`.
        case unsupportedDType
        /// The element count or byte count of a shape does not fit in `Int`.
        case overflow
        /// `data_offsets` that do not match the shape, overlap, leave gaps, leave the buffer,
        /// or do not cover it exactly.
        case invalidOffsets
        /// A key that appears twice in the same JSON object.
        case duplicateKey
        /// `__metadata__` is not an object of strings.
        case invalidMetadata
    }

    public let kind: Kind
    /// The file path (or other name) given when reading.
    public let source: String
    /// The header key (tensor name, metadata key) the problem is in, if any.
    public let key: String?
    /// What is wrong and what was expected.
    public let message: String

    public init(_ kind: Kind, source: String, key: String? = nil, message: String) {
        self.kind = kind
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(source): '\(key)': \(message)" }
        return "\(source): \(message)"
    }

    public var errorDescription: String? { description }
}

// MARK: - Dtypes the format defines but this reader does not convert

extension SafeTensors {
    /// Every dtype name of the reference implementation (safetensors 0.8).
    static let formatDTypeNames: [String] = [
        "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
        "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
        "F64", "I64", "U64",
    ]
}

// MARK: - Decoding

extension SafeTensors {
    private struct Entry {
        var name: String
        var headerIndex: Int
        var dtype: DType
        var shape: [Int]
        var byteCount: Int
        var begin: Int
        var end: Int
    }

    static func decode(raw: UnsafeRawBufferPointer, source: String) throws -> SafeTensorsFile {
        func failure(_ kind: SafeTensorsError.Kind, _ key: String?, _ message: String) -> SafeTensorsError {
            SafeTensorsError(kind, source: source, key: key, message: message)
        }

        // Length prefix and header bounds.
        let fileLength = raw.count
        guard fileLength >= 8 else {
            throw failure(.truncated, nil, "file is \(fileLength) bytes; expected at least 8 (the little-endian UInt64 header length)")
        }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(raw[i]) << UInt64(8 * i) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw failure(.headerTooLarge, nil, "header length \(declared) exceeds the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= fileLength - 8 else {
            throw failure(.truncated, nil, "header length \(headerLength) needs \(8 + headerLength) bytes, but the file has only \(fileLength)")
        }
        let header = UnsafeRawBufferPointer(rebasing: raw[8 ..< 8 + headerLength])
        let buffer = UnsafeRawBufferPointer(rebasing: raw[(8 + headerLength)...])

        // Header text.
        if let offset = firstInvalidUTF8Offset(header) {
            throw failure(.invalidHeader, nil, "header is not valid UTF-8 (at header byte \(offset))")
        }
        guard headerLength > 0, header[0] == UInt8(ascii: "{") else {
            let found = headerLength == 0 ? "it is empty" : "it starts with \(describeByte(header[0]))"
            throw failure(.invalidHeader, nil, "header must be a JSON object starting with '{'; \(found)")
        }
        let json: JSONValue
        do {
            var parser = JSONParser(bytes: header)
            json = try parser.parseDocument()
        } catch let error as JSONParser.Failure {
            throw failure(.invalidHeader, nil, "invalid JSON at header byte \(error.offset): \(error.message)")
        }
        guard case .object(let members) = json else {
            throw failure(.invalidHeader, nil, "header must be a JSON object, found \(json.typeDescription)")
        }

        // Entries.
        var seen = Set<String>()
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(members.count)
        for (index, member) in members.enumerated() {
            let name = member.key
            guard seen.insert(name).inserted else {
                throw failure(.duplicateKey, name, "key appears more than once in the header; expected unique tensor names")
            }
            if name == "__metadata__" {
                metadata = try decodeMetadata(member.value, failure: failure)
            } else {
                entries.append(try decodeEntry(name: name, index: index, value: member.value, failure: failure))
            }
        }

        // Offsets must tile the data buffer exactly, in storage order.
        entries.sort { ($0.begin, $0.end, $0.headerIndex) < ($1.begin, $1.end, $1.headerIndex) }
        let bufferLength = buffer.count
        var expectedBegin = 0
        var previous: String?
        for entry in entries {
            let offsets = "data_offsets [\(entry.begin), \(entry.end)]"
            if entry.end < entry.begin {
                throw failure(.invalidOffsets, entry.name, "\(offsets) end before they begin; expected [begin, end] with begin <= end")
            }
            if entry.end > bufferLength {
                throw failure(.invalidOffsets, entry.name, "\(offsets) reach past the end of the data buffer, which has \(bufferLength) bytes (is the file truncated?)")
            }
            if entry.begin != expectedBegin {
                let after = previous.map { "the end of '\($0)'" } ?? "the start of the data buffer"
                let problem = entry.begin < expectedBegin ? "overlap the previous tensor" : "leave a gap"
                throw failure(.invalidOffsets, entry.name, "\(offsets) \(problem); expected the data to begin at byte \(expectedBegin), \(after)")
            }
            if entry.end - entry.begin != entry.byteCount {
                throw failure(.invalidOffsets, entry.name, "\(offsets) span \(entry.end - entry.begin) bytes, but \(entry.dtype) with shape \(entry.shape) needs \(entry.byteCount) bytes")
            }
            expectedBegin = entry.end
            previous = entry.name
        }
        if expectedBegin != bufferLength {
            throw failure(.invalidOffsets, nil, "the tensors cover \(expectedBegin) bytes, but the data buffer after the header has \(bufferLength); expected them to cover it exactly")
        }

        // Convert.
        var tensors: [String: Tensor] = [:]
        var dtypes: [String: DType] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[entry.begin ..< entry.end])
            tensors[entry.name] = makeTensor(shape: entry.shape, dtype: entry.dtype, bytes: bytes)
            dtypes[entry.name] = entry.dtype
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata, names: entries.map(\.name), dtypes: dtypes)
    }

    private static func decodeMetadata(
        _ value: JSONValue, failure: (SafeTensorsError.Kind, String?, String) -> SafeTensorsError
    ) throws -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let pairs):
            var result: [String: String] = [:]
            for pair in pairs {
                guard case .string(let text) = pair.value else {
                    throw failure(.invalidMetadata, pair.key, "__metadata__ value must be a string, found \(pair.value.typeDescription)")
                }
                guard result.updateValue(text, forKey: pair.key) == nil else {
                    throw failure(.duplicateKey, pair.key, "metadata key appears more than once in __metadata__")
                }
            }
            return result
        default:
            throw failure(.invalidMetadata, "__metadata__", "must be an object of string values, found \(value.typeDescription)")
        }
    }

    private static func decodeEntry(
        name: String, index: Int, value: JSONValue,
        failure: (SafeTensorsError.Kind, String?, String) -> SafeTensorsError
    ) throws -> Entry {
        guard case .object(let pairs) = value else {
            throw failure(.invalidEntry, name, "expected an object with dtype, shape and data_offsets, found \(value.typeDescription)")
        }
        var fields: [String: JSONValue] = [:]
        for pair in pairs {
            guard fields.updateValue(pair.value, forKey: pair.key) == nil else {
                throw failure(.duplicateKey, name, "field '\(pair.key)' appears more than once in the entry")
            }
        }

        // dtype
        guard let dtypeValue = fields["dtype"] else {
            throw failure(.invalidEntry, name, "missing field 'dtype'; expected an object with dtype, shape and data_offsets")
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw failure(.invalidEntry, name, "dtype must be a string such as \"F32\", found \(dtypeValue.typeDescription)")
        }
        let supported = DType.allCases.map(\.rawValue).joined(separator: ", ")
        guard let dtype = DType(rawValue: dtypeName) else {
            if formatDTypeNames.contains(dtypeName) {
                throw failure(.unsupportedDType, name, "dtype \(dtypeName) is not supported; expected one of \(supported)")
            }
            throw failure(.unknownDType, name, "unknown dtype \"\(dtypeName)\"; expected one of \(supported)")
        }

        // shape
        guard let shapeValue = fields["shape"] else {
            throw failure(.invalidEntry, name, "missing field 'shape'; expected an object with dtype, shape and data_offsets")
        }
        guard case .array(let shapeElements) = shapeValue else {
            throw failure(.invalidEntry, name, "shape must be an array of non-negative integers, found \(shapeValue.typeDescription)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(shapeElements.count)
        for (axis, element) in shapeElements.enumerated() {
            shape.append(try nonNegativeInteger(element, what: "shape[\(axis)]", name: name, failure: failure))
        }
        // Every partial product must fit, in any order, so that strides and counts computed
        // later by Tensor never overflow: multiply the non-zero extents.
        var nonZeroProduct = 1
        for extent in shape where extent > 0 {
            let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw failure(.overflow, name, "shape \(shape) has more elements than fit in a 64-bit integer")
            }
            nonZeroProduct = product
        }
        let count = shape.contains(0) ? 0 : nonZeroProduct
        let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !byteOverflow else {
            throw failure(.overflow, name, "shape \(shape) of \(dtype) needs more bytes than fit in a 64-bit integer")
        }

        // data_offsets
        guard let offsetsValue = fields["data_offsets"] else {
            throw failure(.invalidEntry, name, "missing field 'data_offsets'; expected an object with dtype, shape and data_offsets")
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw failure(.invalidEntry, name, "data_offsets must be an array of two non-negative integers [begin, end], found \(offsetsValue.typeDescription)")
        }
        let begin = try nonNegativeInteger(offsets[0], what: "data_offsets[0]", name: name, failure: failure)
        let end = try nonNegativeInteger(offsets[1], what: "data_offsets[1]", name: name, failure: failure)
        return Entry(name: name, headerIndex: index, dtype: dtype, shape: shape, byteCount: byteCount, begin: begin, end: end)
    }

    private static func nonNegativeInteger(
        _ value: JSONValue, what: String, name: String,
        failure: (SafeTensorsError.Kind, String?, String) -> SafeTensorsError
    ) throws -> Int {
        guard case .number(let lexeme) = value else {
            throw failure(.invalidEntry, name, "\(what) must be a non-negative integer, found \(value.typeDescription)")
        }
        var result = 0
        for byte in lexeme.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw failure(.invalidEntry, name, "\(what) must be a non-negative integer, found \(lexeme)")
            }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                throw failure(.overflow, name, "\(what) is \(lexeme), larger than a 64-bit integer")
            }
            result = sum
        }
        return result
    }

    /// A tensor of `shape` from the little-endian `bytes` of `dtype` (already validated to be
    /// exactly `count * dtype.byteCount` bytes).
    private static func makeTensor(shape: [Int], dtype: DType, bytes: UnsafeRawBufferPointer) -> Tensor {
        var tensor = Tensor(uninitializedShape: shape)
        tensor.withUnsafeMutableBufferPointer { out in
            let count = out.count
            guard count > 0, let source = bytes.baseAddress, let destination = out.baseAddress,
                  bytes.count == count * dtype.byteCount else { return }
            switch dtype {
            case .f32:
                #if _endian(little)
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
                #else
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                #endif
            case .f16:
                for i in 0..<count {
                    out[i] = floatFromHalfBits(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .f64:
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .i64:
                for i in 0..<count {
                    out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                }
            }
        }
        return tensor
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence
    /// (overlong forms, surrogates and values past U+10FFFF are invalid), or `nil`.
    private static func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

fileprivate func describeByte(_ byte: UInt8) -> String {
    if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x\(hex.count < 2 ? "0" + hex : hex)"
}

// MARK: - Encoding

extension SafeTensors {
    struct PlannedTensor {
        var name: String
        var tensor: Tensor
        var dtype: DType
    }

    /// The header bytes (length prefix included) and tensor order of a file to write.
    struct WritePlan {
        var header: [UInt8]
        var entries: [PlannedTensor]
        var dataByteCount: Int

        init(tensors: [String: Tensor], metadata: [String: String], dtypes: [String: DType]) {
            var entries: [PlannedTensor] = []
            entries.reserveCapacity(tensors.count)
            for (name, tensor) in tensors {
                precondition(name != "__metadata__", "SafeTensors: a tensor cannot be named \"__metadata__\", the key reserved for metadata")
                entries.append(PlannedTensor(name: name, tensor: tensor, dtype: dtypes[name] ?? .f32))
            }
            entries.sort { a, b in
                if a.dtype.referenceOrder != b.dtype.referenceOrder { return a.dtype.referenceOrder > b.dtype.referenceOrder }
                return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
            }

            var json: [UInt8] = []
            json.append(contentsOf: Array(#"{"__metadata__":{"#.utf8))
            let allMetadata = SafeTensors.defaultMetadata.merging(metadata) { _, user in user }
            let metadataKeys = allMetadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in metadataKeys.enumerated() {
                if i > 0 { json.append(UInt8(ascii: ",")) }
                appendJSONString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                appendJSONString(allMetadata[key] ?? "", to: &json)
            }
            json.append(UInt8(ascii: "}"))
            var offset = 0
            for entry in entries {
                let byteCount = entry.tensor.count * entry.dtype.byteCount
                json.append(UInt8(ascii: ","))
                appendJSONString(entry.name, to: &json)
                json.append(contentsOf: Array(#":{"dtype":""#.utf8))
                json.append(contentsOf: Array(entry.dtype.rawValue.utf8))
                json.append(contentsOf: Array(#"","shape":["#.utf8))
                json.append(contentsOf: Array(entry.tensor.shape.map(String.init).joined(separator: ",").utf8))
                json.append(contentsOf: Array(#"],"data_offsets":["#.utf8))
                json.append(contentsOf: Array("\(offset),\(offset + byteCount)]}".utf8))
                offset += byteCount
            }
            json.append(UInt8(ascii: "}"))
            json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
            precondition(json.count <= SafeTensors.maximumHeaderLength,
                         "SafeTensors: header of \(json.count) bytes exceeds the \(SafeTensors.maximumHeaderLength)-byte limit readers enforce")

            var header: [UInt8] = []
            header.reserveCapacity(8 + json.count)
            let length = UInt64(json.count)
            for i in 0..<8 { header.append(UInt8(truncatingIfNeeded: length >> UInt64(8 * i))) }
            header.append(contentsOf: json)
            self.header = header
            self.entries = entries
            self.dataByteCount = offset
        }
    }

    /// Appends `text` as a JSON string escaped as serde_json (the reference implementation's
    /// serializer) escapes it: `"` `\` and control characters only, `\u00xx` in lower case.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00 ..< 0x20:
                out.append(contentsOf: Array(#"\u00"#.utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Passes the little-endian bytes of `entry`'s tensor, converted to its dtype, to `sink`,
    /// in one piece for `F32` and in chunks of at most 64 KiB otherwise.
    static func emitData(of entry: PlannedTensor, to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let dtype = entry.dtype
        try entry.tensor.withUnsafeBufferPointer { values in
            #if _endian(little)
            if dtype == .f32 {
                try sink(UnsafeRawBufferPointer(values))
                return
            }
            #endif
            let chunkElements = 65536 / dtype.byteCount
            var chunk = [UInt8](repeating: 0, count: Swift.min(values.count, chunkElements) * dtype.byteCount)
            var start = 0
            while start < values.count {
                let end = Swift.min(start + chunkElements, values.count)
                chunk.withUnsafeMutableBytes { out in
                    for i in start ..< end {
                        let offset = (i - start) * dtype.byteCount
                        let value = values[i]
                        switch dtype {
                        case .f32:
                            out.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
                        case .f16:
                            out.storeBytes(of: halfBits(from: value).littleEndian, toByteOffset: offset, as: UInt16.self)
                        case .bf16:
                            out.storeBytes(of: bfloat16Bits(from: value).littleEndian, toByteOffset: offset, as: UInt16.self)
                        case .f64:
                            out.storeBytes(of: Double(value).bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
                        case .i64:
                            guard let integer = Int64(exactly: value) else {
                                preconditionFailure("SafeTensors: tensor '\(entry.name)' is written as I64, but element \(i) is \(value), not an integer")
                            }
                            out.storeBytes(of: integer.littleEndian, toByteOffset: offset, as: Int64.self)
                        }
                    }
                }
                try chunk.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0 ..< (end - start) * dtype.byteCount])) }
                start = end
            }
        }
    }
}

// MARK: - Half and bfloat16 conversion

extension SafeTensors {
    /// The `Float` value of IEEE 754 half-precision `bits` (exact).
    static func floatFromHalfBits(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// The half-precision bits nearest to `value` (round to nearest, ties to even; overflow to
    /// infinity; NaN becomes the quiet NaN 0x7E00 with its sign), as PyTorch's `.half()` rounds.
    static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude >= 0x7F80_0000 {
            return sign | (magnitude == 0x7F80_0000 ? 0x7C00 : 0x7E00)
        }
        if magnitude >= 0x477F_F000 {
            // 65520 and above: halfway past the largest half (65504) rounds to infinity.
            return sign | 0x7C00
        }
        if magnitude < 0x3880_0000 {
            // Below 2^-14: a subnormal half, in units of 2^-24 (scaling by 2^24 is exact).
            let units = (Float(bitPattern: magnitude) * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let exponent = (magnitude >> 23) - 112
        let mantissa = magnitude & 0x7F_FFFF
        var half = (exponent << 10) | (mantissa >> 13)
        let rest = mantissa & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(truncatingIfNeeded: half)
    }

    /// The bfloat16 bits nearest to `value` (round to nearest, ties to even; NaN becomes
    /// 0x7FC0), exactly as PyTorch's `c10::BFloat16` rounds.
    static func bfloat16Bits(from value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let roundingBias = ((bits >> 16) & 1) &+ 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}

// MARK: - A minimal JSON parser

/// A parsed JSON value. Objects keep their members in order and keep duplicates, so the
/// caller can report them; numbers keep their text, so integers are read exactly.
private enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    var typeDescription: String {
        switch self {
        case .object: "an object"
        case .array(let elements): "an array of \(elements.count) elements"
        case .string(let text): "the string \"\(text.count > 40 ? String(text.prefix(40)) + "..." : text)\""
        case .number(let lexeme): "the number \(lexeme.count > 40 ? String(lexeme.prefix(40)) + "..." : lexeme)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }
}

/// A strict RFC 8259 parser over already UTF-8-validated bytes, with a nesting limit so no
/// input can exhaust the stack.
private struct JSONParser {
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw Failure(offset: index, message: "unexpected \(describeByte(bytes[index])) after the JSON object; only whitespace may follow it")
        }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func unexpected(_ expected: String) -> Failure {
        guard let byte = current else { return Failure(offset: index, message: "header ends early; expected \(expected)") }
        return Failure(offset: index, message: "unexpected \(describeByte(byte)); expected \(expected)")
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < JSONParser.maximumDepth else {
            throw Failure(offset: index, message: "values nested more than \(JSONParser.maximumDepth) levels deep")
        }
        guard let byte = current else { throw unexpected("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        default: throw unexpected("a JSON value")
        }
    }

    private mutating func parseLiteral(_ word: String) throws {
        for expected in word.utf8 {
            guard current == expected else { throw unexpected("\(word)") }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        index += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw unexpected("a string key") }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw unexpected("':' after the key \"\(key)\"") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw unexpected("',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw unexpected("',' or ']' in an array")
            }
        }
    }

    private mutating func parseString() throws -> String {
        let start = index
        index += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else {
                throw Failure(offset: start, message: "string is not terminated before the header ends")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &utf8)
            case 0x00 ..< 0x20:
                throw Failure(offset: index, message: "control character \(describeByte(byte)) must be escaped inside a string")
            default:
                utf8.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard let byte = current else { throw unexpected("an escape sequence") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = index - 2
            var value = try parseHex4()
            if (0xD800 ... 0xDBFF).contains(value) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw Failure(offset: escapeStart, message: "unpaired high surrogate \\u\(String(value, radix: 16)) in a string")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00 ... 0xDFFF).contains(low) else {
                    throw Failure(offset: escapeStart, message: "high surrogate \\u\(String(value, radix: 16)) is not followed by a low surrogate")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00 ... 0xDFFF).contains(value) {
                throw Failure(offset: escapeStart, message: "unpaired low surrogate \\u\(String(value, radix: 16)) in a string")
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw Failure(offset: escapeStart, message: "invalid Unicode escape")
            }
            UTF8.encode(scalar) { utf8.append($0) }
        default:
            index -= 1
            throw unexpected("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw unexpected("four hexadecimal digits after \\u") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw unexpected("four hexadecimal digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        func isDigit(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(current) {
            while isDigit(current) { index += 1 }
        } else {
            throw unexpected("a digit")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard isDigit(current) else { throw unexpected("a digit after the decimal point") }
            while isDigit(current) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard isDigit(current) else { throw unexpected("a digit in the exponent") }
            while isDigit(current) { index += 1 }
        }
        return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self))
    }
}

// MARK: - Atomic file writing

/// Writes a file by writing a temporary file beside it, flushing it to disk, and renaming it
/// over the destination: a reader (or a crash) sees the old file or the new one, never a part.
/// Failures throw a ``SafeTensorsError`` of kind `.io` naming the path.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Writes the chunks `contents` passes to its sink to `url` atomically.
    public static func write(to url: URL, contents: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path

        func failure(_ what: String, _ code: Int32) -> SafeTensorsError {
            SafeTensorsError(.io, source: path, message: "\(what): \(String(cString: strerror(code)))")
        }

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw failure("cannot create a temporary file in \(directory)", errno)
        }
        var isOpen = true
        var isRenamed = false
        defer {
            if isOpen { _ = close(descriptor) }
            if !isRenamed { _ = unlink(temporaryPath) }
        }

        try contents { chunk in
            guard var next = chunk.baseAddress else { return }
            var remaining = chunk.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw failure("cannot write \(temporaryPath)", code)
                }
                next += written
                remaining -= written
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush \(temporaryPath) to disk", errno) }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure("cannot close \(temporaryPath)", errno) }
        guard rename(temporaryPath, path) == 0 else { throw failure("cannot rename \(temporaryPath) to the destination", errno) }
        isRenamed = true

        // Make the rename itself durable; a failure here does not undo the write.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, pointer, count)
        #elseif canImport(Musl)
        Musl.write(descriptor, pointer, count)
        #else
        Darwin.write(descriptor, pointer, count)
        #endif
    }
}
