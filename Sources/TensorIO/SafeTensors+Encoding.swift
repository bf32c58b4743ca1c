import Tensor

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
        /// Why no reader would accept the file (a tensor named `__metadata__`, a header over
        /// ``SafeTensors/maximumHeaderLength``), or nil: checked before anything is written.
        var problem: (key: String?, kind: SafeTensorsError.Kind, message: String)?

        init(tensors: [String: Tensor], metadata: [String: String], dtypes: [String: DType]) {
            var entries: [PlannedTensor] = []
            entries.reserveCapacity(tensors.count)
            for (name, tensor) in tensors {
                if name == "__metadata__" {
                    problem = (
                        "__metadata__", .invalidEntry,
                        "a tensor cannot be named \"__metadata__\", the key reserved for metadata"
                    )
                }
                entries.append(PlannedTensor(name: name, tensor: tensor, dtype: dtypes[name] ?? .f32))
            }
            entries.sort { a, b in
                if a.dtype.referenceOrder != b.dtype.referenceOrder {
                    return a.dtype.referenceOrder > b.dtype.referenceOrder
                }
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
            if json.count > SafeTensors.maximumHeaderLength {
                problem = (
                    nil, .headerTooLarge,
                    "the header would be \(json.count) bytes, over the \(SafeTensors.maximumHeaderLength)-byte limit "
                        + "readers enforce; shorten the metadata"
                )
            }

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
            case 0x00..<0x20:
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
                    for i in start..<end {
                        let offset = (i - start) * dtype.byteCount
                        let value = values[i]
                        switch dtype {
                        case .f32:
                            out.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
                        case .f16:
                            out.storeBytes(
                                of: halfBits(from: value).littleEndian, toByteOffset: offset, as: UInt16.self)
                        case .bf16:
                            out.storeBytes(
                                of: bfloat16Bits(from: value).littleEndian, toByteOffset: offset, as: UInt16.self)
                        case .f64:
                            out.storeBytes(
                                of: Double(value).bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
                        case .i64:
                            guard let integer = Int64(exactly: value) else {
                                preconditionFailure(
                                    "SafeTensors: tensor '\(entry.name)' is written as I64, but element \(i) is \(value), not an integer"
                                )
                            }
                            out.storeBytes(of: integer.littleEndian, toByteOffset: offset, as: Int64.self)
                        }
                    }
                }
                try chunk.withUnsafeBytes {
                    try sink(UnsafeRawBufferPointer(rebasing: $0[0..<(end - start) * dtype.byteCount]))
                }
                start = end
            }
        }
    }
}
