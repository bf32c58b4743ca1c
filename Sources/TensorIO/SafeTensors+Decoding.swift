import Foundation
import Tensor

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
            throw failure(
                .truncated, nil,
                "file is \(fileLength) bytes; expected at least 8 (the little-endian UInt64 header length)")
        }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(raw[i]) << UInt64(8 * i) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw failure(
                .headerTooLarge, nil, "header length \(declared) exceeds the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= fileLength - 8 else {
            throw failure(
                .truncated, nil,
                "header length \(headerLength) needs \(8 + headerLength) bytes, but the file has only \(fileLength)")
        }
        let header = UnsafeRawBufferPointer(rebasing: raw[8..<8 + headerLength])
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
                throw failure(
                    .duplicateKey, name, "key appears more than once in the header; expected unique tensor names")
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
                throw failure(
                    .invalidOffsets, entry.name,
                    "\(offsets) end before they begin; expected [begin, end] with begin <= end")
            }
            if entry.end > bufferLength {
                throw failure(
                    .invalidOffsets, entry.name,
                    "\(offsets) reach past the end of the data buffer, which has \(bufferLength) bytes (is the file truncated?)"
                )
            }
            if entry.begin != expectedBegin {
                let after = previous.map { "the end of '\($0)'" } ?? "the start of the data buffer"
                let problem = entry.begin < expectedBegin ? "overlap the previous tensor" : "leave a gap"
                throw failure(
                    .invalidOffsets, entry.name,
                    "\(offsets) \(problem); expected the data to begin at byte \(expectedBegin), \(after)")
            }
            if entry.end - entry.begin != entry.byteCount {
                throw failure(
                    .invalidOffsets, entry.name,
                    "\(offsets) span \(entry.end - entry.begin) bytes, but \(entry.dtype) with shape \(entry.shape) needs \(entry.byteCount) bytes"
                )
            }
            expectedBegin = entry.end
            previous = entry.name
        }
        if expectedBegin != bufferLength {
            throw failure(
                .invalidOffsets, nil,
                "the tensors cover \(expectedBegin) bytes, but the data buffer after the header has \(bufferLength); expected them to cover it exactly"
            )
        }

        // Convert.
        var tensors: [String: Tensor] = [:]
        var dtypes: [String: DType] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[entry.begin..<entry.end])
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
                    throw failure(
                        .invalidMetadata, pair.key,
                        "__metadata__ value must be a string, found \(pair.value.typeDescription)")
                }
                guard result.updateValue(text, forKey: pair.key) == nil else {
                    throw failure(.duplicateKey, pair.key, "metadata key appears more than once in __metadata__")
                }
            }
            return result
        default:
            throw failure(
                .invalidMetadata, "__metadata__", "must be an object of string values, found \(value.typeDescription)")
        }
    }

    private static func decodeEntry(
        name: String, index: Int, value: JSONValue,
        failure: (SafeTensorsError.Kind, String?, String) -> SafeTensorsError
    ) throws -> Entry {
        guard case .object(let pairs) = value else {
            throw failure(
                .invalidEntry, name,
                "expected an object with dtype, shape and data_offsets, found \(value.typeDescription)")
        }
        var fields: [String: JSONValue] = [:]
        for pair in pairs {
            guard fields.updateValue(pair.value, forKey: pair.key) == nil else {
                throw failure(.duplicateKey, name, "field '\(pair.key)' appears more than once in the entry")
            }
        }

        // dtype
        guard let dtypeValue = fields["dtype"] else {
            throw failure(
                .invalidEntry, name, "missing field 'dtype'; expected an object with dtype, shape and data_offsets")
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw failure(
                .invalidEntry, name, "dtype must be a string such as \"F32\", found \(dtypeValue.typeDescription)")
        }
        let supported = DType.allCases.map(\.rawValue).joined(separator: ", ")
        guard let dtype = DType(rawValue: dtypeName) else {
            if formatDTypeNames.contains(dtypeName) {
                throw failure(
                    .unsupportedDType, name, "dtype \(dtypeName) is not supported; expected one of \(supported)")
            }
            throw failure(.unknownDType, name, "unknown dtype \"\(dtypeName)\"; expected one of \(supported)")
        }

        // shape
        guard let shapeValue = fields["shape"] else {
            throw failure(
                .invalidEntry, name, "missing field 'shape'; expected an object with dtype, shape and data_offsets")
        }
        guard case .array(let shapeElements) = shapeValue else {
            throw failure(
                .invalidEntry, name,
                "shape must be an array of non-negative integers, found \(shapeValue.typeDescription)")
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
            throw failure(
                .invalidEntry, name,
                "missing field 'data_offsets'; expected an object with dtype, shape and data_offsets")
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw failure(
                .invalidEntry, name,
                "data_offsets must be an array of two non-negative integers [begin, end], found \(offsetsValue.typeDescription)"
            )
        }
        let begin = try nonNegativeInteger(offsets[0], what: "data_offsets[0]", name: name, failure: failure)
        let end = try nonNegativeInteger(offsets[1], what: "data_offsets[1]", name: name, failure: failure)
        return Entry(
            name: name, headerIndex: index, dtype: dtype, shape: shape, byteCount: byteCount, begin: begin, end: end)
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
                bytes.count == count * dtype.byteCount
            else { return }
            switch dtype {
            case .f32:
                #if _endian(little)
                    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
                #else
                    for i in 0..<count {
                        out[i] = Float(
                            bitPattern: UInt32(
                                littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                #endif
            case .f16:
                for i in 0..<count {
                    out[i] = floatFromHalfBits(
                        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .f64:
                for i in 0..<count {
                    out[i] = Float(
                        Double(
                            bitPattern: UInt64(
                                littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
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
