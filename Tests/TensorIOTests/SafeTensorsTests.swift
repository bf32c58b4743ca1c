import Foundation
import Tensor
import TensorIO
import TestSupport
import Testing

/// The bytes of a safetensors file with `header` as its JSON header (not padded) and `data` as
/// its data buffer.
private func fileBytes(_ header: String, data: [UInt8] = []) -> [UInt8] {
    fileBytes(header: Array(header.utf8), data: data)
}

private func fileBytes(header: [UInt8], data: [UInt8] = []) -> [UInt8] {
    lengthPrefix(UInt64(header.count)) + header + data
}

private func lengthPrefix(_ length: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) }
}

private func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: Fixture.directory.appendingPathComponent(name)))
}

/// The header length declared by a file's first 8 bytes.
private func declaredHeaderLength(_ bytes: [UInt8]) -> Int {
    (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
}

private func bitPatterns(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

/// Values equal bit for bit, except that any NaN matches any NaN.
private func sameValues(_ a: Tensor, _ b: Tensor) -> Bool {
    guard a.shape == b.shape else { return false }
    return zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

/// The 16-bit words `values` are stored as when written with `dtype` (F16 or BF16).
private func storedWords(_ values: [Float], as dtype: SafeTensors.DType) -> [UInt16] {
    let bytes = SafeTensors.encode(["x": Tensor(values)], dtypes: ["x": dtype])
    let data = bytes.suffix(2 * values.count)
    return stride(from: data.startIndex, to: data.endIndex, by: 2).map { UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8 }
}

/// The floats the reader produces from 16-bit `words` stored as `dtype`.
private func readWords(_ words: [UInt16], as dtype: SafeTensors.DType) throws -> [Float] {
    let header = #"{"x":{"dtype":"\#(dtype)","shape":[\#(words.count)],"data_offsets":[0,\#(2 * words.count)]}}"#
    let data = words.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    return try SafeTensors.decode(fileBytes(header, data: data), source: "words")["x"]!.scalars
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct SafeTensorsTests {
    // MARK: Files written by Python

    @Test func readsEveryDTypeWrittenByPython() throws {
        let file = try SafeTensors.read(
            contentsOf: Fixture.directory.appendingPathComponent("safetensors_mixed.safetensors"))
        let expected = try Fixture("safetensors_mixed")
        #expect(Set(file.tensors.keys) == Set(expected.keys))
        for name in expected.keys {
            let actual = try #require(file[name], "missing tensor \(name)")
            let reference = try expected.tensor(name)
            #expect(actual.shape == reference.shape, "\(name)")
            #expect(bitPatterns(actual) == bitPatterns(reference), "\(name): \(differenceReport(actual, reference))")
        }
        #expect(file["scalar"]?.shape == [])
        #expect(file["empty"]?.shape == [0, 3])
        #expect(file["bn.num_batches_tracked"]?.item == 1234)
        #expect(file.metadata == ["format": "pt", "epoch": "7", "note": "ünïcode \"quoted\"\n"])
        #expect(file.dtypes["half"] == .f16)
        #expect(file.dtypes["bfloat"] == .bf16)
        #expect(file.dtypes["double"] == .f64)
        #expect(file.dtypes["ints"] == .i64)
        #expect(file.dtypes["matrix"] == .f32)
        // Storage order: by dtype alignment (I64, F64, F32, BF16, F16), then by name.
        #expect(
            file.names == [
                "bn.num_batches_tracked", "ints", "double", "empty", "layer1.0.conv1.weight",
                "matrix", "rank3", "scalar", "vector", "bfloat", "half"
            ])
    }

    @Test func writesTheSameBytesAsPython() throws {
        let reference = try fixtureBytes("safetensors_reference.safetensors")
        let values = try Fixture("safetensors_reference")
        var tensors: [String: Tensor] = [:]
        for name in values.keys { tensors[name] = try values.tensor(name) }
        let dtypes: [String: SafeTensors.DType] = [
            "bn1.num_batches_tracked": .i64, "half.weight": .f16, "bf16.weight": .bf16, "f64.weight": .f64
        ]
        // The F16 and BF16 tensors were rounded by torch from these float32 values, so equal
        // bytes also mean equal rounding.
        let encoded = SafeTensors.encode(tensors, metadata: [:], dtypes: dtypes)
        #expect(encoded == reference)
        #expect(SafeTensors.encode(tensors, metadata: ["format": "pt"], dtypes: dtypes) == reference)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("reference.safetensors")
        try SafeTensors.write(tensors, dtypes: dtypes, to: url)
        #expect(Array(try Data(contentsOf: url)) == reference)

        // Only num_batches_tracked is I64 in a PyTorch state dict.
        #expect(SafeTensors.pytorchDTypes(for: tensors.keys) == ["bn1.num_batches_tracked": .i64])
        #expect(
            SafeTensors.pytorchDTypes(for: ["num_batches_tracked", "a.num_batches_tracked_x", "bn.weight"])
                == ["num_batches_tracked": .i64])
    }

    @Test func metadataMatchesPythonUpToKeyOrder() throws {
        // The reference implementation writes metadata in hash-map order; we sort the keys.
        // Everything else must be identical.
        let reference = try fixtureBytes("safetensors_metadata.safetensors")
        let values = try Fixture("safetensors_reference")
        var tensors: [String: Tensor] = [:]
        for name in values.keys { tensors[name] = try values.tensor(name) }
        let dtypes: [String: SafeTensors.DType] = [
            "bn1.num_batches_tracked": .i64, "half.weight": .f16, "bf16.weight": .bf16, "f64.weight": .f64
        ]
        let metadata = ["model": "NoseNet", "epoch": "12", "a/b": "x\ty"]
        let encoded = SafeTensors.encode(tensors, metadata: metadata, dtypes: dtypes)
        #expect(encoded.count == reference.count)
        #expect(encoded.prefix(8) == reference.prefix(8))
        let headerEnd = 8 + declaredHeaderLength(reference)
        #expect(encoded.suffix(from: headerEnd) == reference.suffix(from: headerEnd))
        let ours = try JSONSerialization.jsonObject(with: Data(encoded[8..<headerEnd])) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: Data(reference[8..<headerEnd])) as? NSDictionary
        #expect(ours != nil && ours == theirs)

        let decoded = try SafeTensors.decode(encoded, source: "ours")
        let pythonDecoded = try SafeTensors.decode(reference, source: "python")
        #expect(decoded.metadata == ["format": "pt", "model": "NoseNet", "epoch": "12", "a/b": "x\ty"])
        #expect(decoded.metadata == pythonDecoded.metadata)
        #expect(decoded.names == pythonDecoded.names)
        #expect(decoded.dtypes == pythonDecoded.dtypes)
        var expectedDTypes: [String: SafeTensors.DType] = [:]
        for name in tensors.keys { expectedDTypes[name] = dtypes[name] ?? .f32 }
        #expect(decoded.dtypes == expectedDTypes)
    }

    // MARK: Round trips

    @Test func roundTripIsExact() throws {
        var generator = RandomGenerator(seed: 7)
        let weird = "weird \"name\"\n\u{1}\\é/€😀"
        let tensors: [String: Tensor] = [
            "scalar": Tensor(-1.5),
            "empty": Tensor.zeros([0]),
            "empty2d": Tensor.zeros([0, 3]),
            "vector": Tensor.randomNormal([5], using: &generator),
            "conv.weight": Tensor.randomNormal([2, 3, 4], using: &generator),
            "deep": Tensor.randomNormal([1, 1, 1, 1, 7], using: &generator),
            "special": Tensor([
                .nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                .leastNormalMagnitude
            ]),
            "double": Tensor.randomNormal([3, 3], using: &generator),
            "counts": Tensor([-3, 0, 16_777_216, 1_099_511_627_776, -9_223_372_036_854_775_808]),
            "half": Tensor([1, -2.5, 65504, 0x1p-24, -0.0, 0x1p-14, .infinity]),
            "bfloat": Tensor([1, -3.140625, Float(bitPattern: 0x7F7F_0000), Float(bitPattern: 0x0001_0000), -0.0]),
            weird: Tensor([[1, 2], [3, 4]])
        ]
        let dtypes: [String: SafeTensors.DType] = ["double": .f64, "counts": .i64, "half": .f16, "bfloat": .bf16]
        let metadata = ["epoch": "3", "note": "tab\there\u{0}nul \"quotes\" é", "": "empty key"]

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("round trip.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, dtypes: dtypes, to: url)
        let file = try SafeTensors.read(contentsOf: url)
        #expect(Set(file.tensors.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            let read = try #require(file[name])
            #expect(sameValues(read, tensor), "\(name): \(differenceReport(read, tensor))")
        }
        #expect(file.metadata == metadata.merging(["format": "pt"]) { a, _ in a })
        var expectedDTypes: [String: SafeTensors.DType] = [:]
        for name in tensors.keys { expectedDTypes[name] = dtypes[name] ?? .f32 }
        #expect(file.dtypes == expectedDTypes)
        #expect(bitPatterns(file["special"]!) == bitPatterns(tensors["special"]!))

        // encode and write agree; decode of Data and of [UInt8] agree.
        let encoded = SafeTensors.encode(tensors, metadata: metadata, dtypes: dtypes)
        #expect(Array(try Data(contentsOf: url)) == encoded)
        let fromData = try SafeTensors.decode(Data(encoded), source: "data")
        #expect(fromData.names == file.names)
        // Writing what was read, with the dtypes it was read as, gives the same bytes.
        #expect(SafeTensors.encode(file.tensors, metadata: file.metadata, dtypes: file.dtypes) == encoded)
        // Metadata can override the default format.
        #expect(
            try SafeTensors.decode(SafeTensors.encode([:], metadata: ["format": "mlx"]), source: "x").metadata == [
                "format": "mlx"
            ])
    }

    @Test func headerIsPaddedToEightBytesWithSpaces() throws {
        for length in 0..<20 {
            let name = String(repeating: "n", count: length)
            let bytes = SafeTensors.encode([name: Tensor([1])])
            let headerLength = declaredHeaderLength(bytes)
            #expect(headerLength % 8 == 0)
            let header = String(decoding: bytes[8..<8 + headerLength], as: UTF8.self)
            #expect(header.hasPrefix(#"{"__metadata__":{"format":"pt"},"#))
            let json = header.trimmingCharacters(in: .init(charactersIn: " "))
            #expect(json.hasSuffix("}"))
            #expect(header.count - json.count < 8)
            #expect(try SafeTensors.decode(bytes, source: "pad")[name]?.scalars == [1])
        }
        // An empty dict.
        #expect(try SafeTensors.decode(SafeTensors.encode([:]), source: "empty").tensors.isEmpty)
    }

    // MARK: Half and bfloat16

    @Test func halfPrecisionConvertsEveryBitPattern() throws {
        let words = (0...UInt16.max).map { $0 }
        let floats = try readWords(words, as: .f16)
        let stored = storedWords(floats, as: .f16)
        for (index, word) in words.enumerated() {
            let isNaN = word & 0x7C00 == 0x7C00 && word & 0x3FF != 0
            #expect(floats[index].isNaN == isNaN)
            let expectedWord = isNaN ? (word & 0x8000) | 0x7E00 : word
            if stored[index] != expectedWord {
                Issue.record(
                    "half 0x\(String(word, radix: 16)) -> \(floats[index]) -> 0x\(String(stored[index], radix: 16))")
                break
            }
            #if !(os(macOS) && arch(x86_64))
                if !isNaN && floats[index].bitPattern != Float(Float16(bitPattern: word)).bitPattern {
                    Issue.record(
                        "half 0x\(String(word, radix: 16)) read as \(floats[index]), Float16 says \(Float(Float16(bitPattern: word)))"
                    )
                    break
                }
            #endif
        }
    }

    @Test func halfPrecisionRoundsToNearestEven() throws {
        // Ties and edges, checked by hand.
        let cases: [(Float, UInt16)] = [
            (65504, 0x7BFF), (65519.99, 0x7BFF), (65520, 0x7C00), (1e10, 0x7C00), (-1e10, 0xFC00),
            (1 + 0x1p-11, 0x3C00),  // tie, rounds to even (down)
            (1 + 3 * 0x1p-11, 0x3C02),  // tie, rounds to even (up)
            (1 + 0x1p-11 + 0x1p-20, 0x3C01),  // just above the tie
            (0x1p-25, 0x0000),  // half the smallest subnormal: tie to even zero
            (0x1p-25 + 0x1p-35, 0x0001),
            (3 * 0x1p-25, 0x0002),  // tie between 1 and 2 subnormal units -> 2
            (0x1p-14 - 0x1p-25, 0x0400),  // rounds up from subnormal into the smallest normal
            (-0.0, 0x8000), (.infinity, 0x7C00), (-.infinity, 0xFC00), (.nan, 0x7E00)
        ]
        let stored = storedWords(cases.map(\.0), as: .f16)
        for (index, (value, word)) in cases.enumerated() {
            #expect(
                stored[index] == word,
                "\(value): 0x\(String(stored[index], radix: 16)), expected 0x\(String(word, radix: 16))")
        }
        #if !(os(macOS) && arch(x86_64))
            // Random floats, against the standard library's conversion.
            var generator = RandomGenerator(seed: 11)
            var values: [Float] = []
            while values.count < 50_000 {
                let bits = UInt32(truncatingIfNeeded: generator.next())
                // Mostly magnitudes from 2^-27 to 2^16 (the half range), sometimes any float.
                let exponent = UInt32(100 + generator.next() % 44)
                let value =
                    values.count % 4 == 0
                    ? Float(bitPattern: bits) : Float(bitPattern: bits & 0x807F_FFFF | exponent << 23)
                if !value.isNaN { values.append(value) }
            }
            let ours = storedWords(values, as: .f16)
            let mismatches = values.indices.filter { ours[$0] != Float16(values[$0]).bitPattern }
            #expect(mismatches.isEmpty, "first mismatch: \(mismatches.first.map { "\(values[$0])" } ?? "")")
        #endif
    }

    @Test func bfloat16RoundsAsPyTorch() throws {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_8000, 0x3F80),  // tie, even stays
            (0x3F81_8000, 0x3F82),  // tie, odd rounds up
            (0x3F80_8001, 0x3F81),
            (0x3F80_7FFF, 0x3F80),
            (0x7F7F_FFFF, 0x7F80),  // overflows to infinity
            (0x7F80_0000, 0x7F80),
            (0x8000_0000, 0x8000),
            (0x0000_0001, 0x0000),
            (0x7FC0_0001, 0x7FC0),  // NaN
            (0xFFC0_0000, 0x7FC0)  // NaN loses its sign, as in c10::BFloat16
        ]
        let stored = storedWords(cases.map { Float(bitPattern: $0.0) }, as: .bf16)
        for (index, (bits, word)) in cases.enumerated() {
            #expect(
                stored[index] == word,
                "0x\(String(bits, radix: 16)): 0x\(String(stored[index], radix: 16)), expected 0x\(String(word, radix: 16))"
            )
        }
        let read = try readWords([0x3F80, 0xC049, 0x7F80, 0x0001, 0x8000], as: .bf16)
        #expect(read.map(\.bitPattern) == [0x3F80_0000, 0xC049_0000, 0x7F80_0000, 0x0001_0000, 0x8000_0000])
    }

    // MARK: Malformed input

    @Test func rejectsMalformedHeadersWithSpecificErrors() throws {
        let f32 = #""dtype":"F32","shape":[1]"#
        let four: [UInt8] = [0, 0, 128, 63]
        struct Case {
            var label: String
            var bytes: [UInt8]
            var kind: SafeTensorsError.Kind
            var key: String?
            var mentions: [String]
        }
        let cases: [Case] = [
            Case(label: "short", bytes: [1, 2, 3], kind: .truncated, mentions: ["3 bytes", "at least 8"]),
            Case(
                label: "header past end", bytes: lengthPrefix(100) + Array("{}".utf8), kind: .truncated,
                mentions: ["100", "108 bytes", "only 10"]),
            Case(
                label: "huge header", bytes: lengthPrefix(100_000_001) + Array("{}".utf8), kind: .headerTooLarge,
                mentions: ["100000001", "100000000"]),
            Case(
                label: "max header", bytes: lengthPrefix(.max) + Array("{}".utf8), kind: .headerTooLarge,
                mentions: ["limit"]),
            Case(
                label: "bad UTF-8", bytes: fileBytes(header: Array(#"{"a"#.utf8) + [0xFF] + Array(#"":{}}"#.utf8)),
                kind: .invalidHeader, mentions: ["UTF-8", "byte 3"]),
            Case(
                label: "overlong UTF-8",
                bytes: fileBytes(header: Array(#"{"a"#.utf8) + [0xC0, 0xAF] + Array(#"":{}}"#.utf8)),
                kind: .invalidHeader, mentions: ["UTF-8"]),
            Case(label: "empty header", bytes: fileBytes(""), kind: .invalidHeader, mentions: ["'{'", "empty"]),
            Case(label: "array header", bytes: fileBytes("[]"), kind: .invalidHeader, mentions: ["'{'", "'['"]),
            Case(label: "leading space", bytes: fileBytes(" {}"), kind: .invalidHeader, mentions: ["'{'", "0x20"]),
            Case(
                label: "unterminated", bytes: fileBytes(#"{"a":"#), kind: .invalidHeader,
                mentions: ["invalid JSON", "ends early"]),
            Case(
                label: "trailing junk", bytes: fileBytes("{}x"), kind: .invalidHeader,
                mentions: ["'x'", "only whitespace"]),
            Case(label: "trailing NUL", bytes: fileBytes("{}\0"), kind: .invalidHeader, mentions: ["0x00"]),
            Case(
                label: "trailing comma", bytes: fileBytes(#"{"a":1,}"#), kind: .invalidHeader, mentions: ["string key"]),
            Case(
                label: "deep nesting",
                bytes: fileBytes(
                    #"{"a":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"),
                kind: .invalidHeader, mentions: ["nested"]),
            Case(
                label: "raw control char", bytes: fileBytes("{\"a\nb\":1}"), kind: .invalidHeader,
                mentions: ["control character"]),
            Case(
                label: "lone surrogate", bytes: fileBytes(#"{"\ud800":1}"#), kind: .invalidHeader,
                mentions: ["surrogate"]),
            Case(
                label: "leading zero",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidHeader, mentions: ["invalid JSON"]),
            Case(
                label: "entry not object", bytes: fileBytes(#"{"w":[1,2]}"#), kind: .invalidEntry, key: "w",
                mentions: ["expected an object", "array"]),
            Case(
                label: "missing dtype", bytes: fileBytes(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["missing field 'dtype'"]),
            Case(
                label: "missing shape", bytes: fileBytes(#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["missing field 'shape'"]),
            Case(
                label: "missing offsets", bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[1]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["missing field 'data_offsets'"]),
            Case(
                label: "dtype not string",
                bytes: fileBytes(#"{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["dtype must be a string", "32"]),
            Case(
                label: "unknown dtype",
                bytes: fileBytes(#"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: four),
                kind: .unknownDType, key: "w", mentions: ["F33", "F16, BF16, F32, F64, I64"]),
            Case(
                label: "lower-case dtype",
                bytes: fileBytes(#"{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}"#, data: four),
                kind: .unknownDType, key: "w", mentions: ["f32"]),
            Case(
                label: "unsupported dtype",
                bytes: fileBytes(#"{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#, data: four),
                kind: .unsupportedDType, key: "w", mentions: ["U8", "not supported", "F32"]),
            Case(
                label: "negative extent",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["shape[0]", "non-negative integer", "-1"]),
            Case(
                label: "fractional extent",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[2,1.5],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["shape[1]", "1.5"]),
            Case(
                label: "exponent extent",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["shape[0]", "1e0"]),
            Case(
                label: "string extent",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["shape[0]", "string"]),
            Case(
                label: "shape not array",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["shape must be an array"]),
            Case(
                label: "extent too large",
                bytes: fileBytes(
                    #"{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, data: four),
                kind: .overflow, key: "w", mentions: ["99999999999999999999"]),
            Case(
                label: "element count overflow",
                bytes: fileBytes(
                    #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: four),
                kind: .overflow, key: "w", mentions: ["more elements"]),
            Case(
                label: "overflow behind a zero",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}}"#),
                kind: .overflow, key: "w", mentions: ["more elements"]),
            Case(
                label: "byte count overflow",
                bytes: fileBytes(
                    #"{"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,4]}}"#, data: four),
                kind: .overflow, key: "w", mentions: ["bytes"]),
            Case(
                label: "one offset", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[0]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["two non-negative integers"]),
            Case(
                label: "three offsets", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[0,4,4]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["two non-negative integers"]),
            Case(
                label: "negative offset", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[-4,0]}}"#, data: four),
                kind: .invalidEntry, key: "w", mentions: ["data_offsets[0]", "-4"]),
            Case(
                label: "end before begin", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[4,0]}}"#, data: four),
                kind: .invalidOffsets, key: "w", mentions: ["[4, 0]", "begin <= end"]),
            Case(
                label: "past the buffer", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[0,8]}}"#, data: four),
                kind: .invalidOffsets, key: "w", mentions: ["[0, 8]", "past the end", "4 bytes"]),
            Case(
                label: "size mismatch",
                bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four),
                kind: .invalidOffsets, key: "w", mentions: ["span 4 bytes", "F32 with shape [2] needs 8 bytes"]),
            Case(
                label: "gap", bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[4,8]}}"#, data: four + four),
                kind: .invalidOffsets, key: "w", mentions: ["gap", "begin at byte 0", "start of the data buffer"]),
            Case(
                label: "overlap",
                bytes: fileBytes(
                    #"{"a":{\#(f32),"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[2,6]}}"#,
                    data: four + four), kind: .invalidOffsets, key: "b", mentions: ["overlap", "byte 4", "'a'"]),
            Case(
                label: "uncovered buffer",
                bytes: fileBytes(#"{"w":{\#(f32),"data_offsets":[0,4]}}"#, data: four + four), kind: .invalidOffsets,
                mentions: ["cover 4 bytes", "has 8"]),
            Case(
                label: "duplicate tensor",
                bytes: fileBytes(
                    #"{"w":{\#(f32),"data_offsets":[0,4]},"w":{\#(f32),"data_offsets":[4,8]}}"#, data: four + four),
                kind: .duplicateKey, key: "w", mentions: ["more than once"]),
            Case(
                label: "duplicate field",
                bytes: fileBytes(#"{"w":{\#(f32),"shape":[1],"data_offsets":[0,4]}}"#, data: four), kind: .duplicateKey,
                key: "w", mentions: ["'shape'", "more than once"]),
            Case(
                label: "metadata not object", bytes: fileBytes(#"{"__metadata__":["pt"]}"#), kind: .invalidMetadata,
                key: "__metadata__", mentions: ["object of string values"]),
            Case(
                label: "metadata number", bytes: fileBytes(#"{"__metadata__":{"epoch":3}}"#), kind: .invalidMetadata,
                key: "epoch", mentions: ["must be a string", "3"]),
            Case(
                label: "duplicate metadata", bytes: fileBytes(#"{"__metadata__":{"a":"1","a":"2"}}"#),
                kind: .duplicateKey, key: "a", mentions: ["more than once"])
        ]
        for testCase in cases {
            do {
                let file = try SafeTensors.decode(testCase.bytes, source: "bad/model.safetensors")
                Issue.record("\(testCase.label): decoded \(file.names) instead of throwing")
            } catch let error as SafeTensorsError {
                #expect(error.kind == testCase.kind, "\(testCase.label): \(error)")
                #expect(error.key == testCase.key, "\(testCase.label): \(error)")
                #expect(error.source == "bad/model.safetensors")
                let text = error.description
                #expect(text.hasPrefix("bad/model.safetensors: "), "\(testCase.label): \(text)")
                if let key = testCase.key { #expect(text.contains("'\(key)'"), "\(testCase.label): \(text)") }
                for word in testCase.mentions {
                    #expect(text.contains(word), "\(testCase.label): '\(word)' not in: \(text)")
                }
            }
        }
    }

    @Test func acceptsUnusualButValidHeaders() throws {
        let four: [UInt8] = [0, 0, 128, 63]
        // Entries in any header order, extra fields, escapes, whitespace, a null metadata,
        // zero-size tensors sharing an offset, and newline padding.
        let header = """
            {"b" : {"dtype":"F32","shape":[1],"data_offsets":[4,8], "extra": {"x": [true, null]}},
             "__metadata__": null,
             "a\\u00e9\\n\\ud83d\\ude00": {"data_offsets":[0,4],"shape":[],"dtype":"F32"},
             "z": {"dtype":"F64","shape":[0, 5],"data_offsets":[8,8]}}
            """ + "\t\r\n  "
        let file = try SafeTensors.decode(fileBytes(header, data: four + four), source: "odd")
        #expect(file.names == ["a\u{e9}\n😀", "b", "z"])
        #expect(file["a\u{e9}\n😀"]?.shape == [])
        #expect(file["a\u{e9}\n😀"]?.item == 1)
        #expect(file["b"]?.scalars == [1])
        #expect(file["z"]?.shape == [0, 5])
        #expect(file.metadata.isEmpty)
        #expect(try SafeTensors.decode(fileBytes("{}"), source: "empty").tensors.isEmpty)
    }

    @Test func everyTruncationThrows() throws {
        var generator = RandomGenerator(seed: 3)
        let bytes = SafeTensors.encode(
            [
                "a.weight": Tensor.randomNormal([2, 3], using: &generator), "a.bias": Tensor([1, 2]),
                "bn.num_batches_tracked": Tensor(5), "h": Tensor([0.5, 2])
            ],
            metadata: ["epoch": "1"], dtypes: ["bn.num_batches_tracked": .i64, "h": .f16])
        #expect(try SafeTensors.decode(bytes, source: "valid").tensors.count == 4)
        for length in 0..<bytes.count {
            do {
                _ = try SafeTensors.decode(Array(bytes.prefix(length)), source: "truncated")
                Issue.record("a file truncated to \(length) of \(bytes.count) bytes decoded")
            } catch let error as SafeTensorsError {
                #expect(error.source == "truncated")
            }
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(bytes + [0], source: "longer") }
    }

    @Test func randomMutationsNeverCrash() throws {
        var generator = RandomGenerator(seed: 500)
        let bytes = SafeTensors.encode(
            [
                "conv.weight": Tensor.randomNormal([2, 1, 2, 2], using: &generator), "conv.bias": Tensor([1, 2]),
                "bn.num_batches_tracked": Tensor(5), "h": Tensor([0.5, 2]), "b": Tensor([3]), "s": Tensor(1)
            ],
            metadata: ["epoch": "1"], dtypes: ["bn.num_batches_tracked": .i64, "h": .f16, "b": .bf16, "s": .f64])
        let headerEnd = 8 + declaredHeaderLength(bytes)
        var decoded = 0, rejected = 0
        for trial in 0..<500 {
            var mutated = bytes
            let edits = 1 + Int(generator.next() % 3)
            for _ in 0..<edits {
                // Mostly the header, where the structure is; sometimes anywhere.
                let range = trial % 4 == 0 ? mutated.count : headerEnd
                let position = Int(generator.next() % UInt64(range))
                switch generator.next() % 4 {
                case 0: mutated[position] ^= UInt8(1) << UInt8(generator.next() % 8)
                case 1: mutated[position] = UInt8(truncatingIfNeeded: generator.next())
                case 2:
                    let structural = Array(#"{}[]",:0123456789-.e"#.utf8)
                    mutated[position] = structural[Int(generator.next() % UInt64(structural.count))]
                default: mutated.remove(at: position)
                }
            }
            do {
                let file = try SafeTensors.decode(mutated, source: "mutated")
                for (_, tensor) in file.tensors { #expect(tensor.count == tensor.shape.reduce(1, *)) }
                decoded += 1
            } catch is SafeTensorsError {
                rejected += 1
            } catch {
                Issue.record("trial \(trial): unexpected error type \(type(of: error)): \(error)")
            }
        }
        #expect(decoded + rejected == 500)
        #expect(rejected > 250)
    }

    // MARK: Files

    @Test func writeReplacesAtomicallyAndLeavesNoTemporary() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensors.write(["w": Tensor([1, 2, 3])], metadata: ["epoch": "1"], to: url)
        try SafeTensors.write(["w": Tensor([4, 5]), "b": Tensor(6)], metadata: ["epoch": "2"], to: url)
        let file = try SafeTensors.read(contentsOf: url)
        #expect(file["w"]?.scalars == [4, 5])
        #expect(file["b"]?.item == 6)
        #expect(file.metadata["epoch"] == "2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test func fileErrorsNameThePath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        let readError = try #require(throws: SafeTensorsError.self) { try SafeTensors.read(contentsOf: missing) }
        #expect(readError.kind == .io)
        #expect(readError.description.contains(missing.path))

        let nowhere = directory.appendingPathComponent("no/such/dir/model.safetensors")
        let writeError = try #require(throws: SafeTensorsError.self) {
            try SafeTensors.write(["w": Tensor(1)], to: nowhere)
        }
        #expect(writeError.kind == .io)
        #expect(writeError.description.contains(nowhere.path))
        #expect(!FileManager.default.fileExists(atPath: nowhere.deletingLastPathComponent().path))

        let corrupt = directory.appendingPathComponent("corrupt.safetensors")
        try Data(fileBytes(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])).write(
            to: corrupt)
        let decodeError = try #require(throws: SafeTensorsError.self) { try SafeTensors.read(contentsOf: corrupt) }
        #expect(decodeError.description.hasPrefix(corrupt.path + ": 'w': "))
        #expect(decodeError.localizedDescription == decodeError.description)
    }
}
