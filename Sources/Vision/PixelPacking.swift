/// Conversions between interleaved integer samples (as codecs use them) and the planar
/// `Float` samples of ``Image``.
enum PixelPacking {
    /// `v / 255` for every byte value, so decoding is a table lookup and exact.
    static let byteScale: [Float] = (0..<256).map { Float($0) / 255 }

    /// Planar `0...1` samples from interleaved 8-bit samples.
    static func planar(
        fromInterleaved source: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int
    ) -> [Float] {
        let n = width * height
        return [Float](unsafeUninitializedCapacity: n * channels) { out, initialized in
            byteScale.withUnsafeBufferPointer { table in
                if channels == 1 {
                    for i in 0..<n { out[i] = table[Int(source[i])] }
                } else if channels == 3 {
                    for i in 0..<n {
                        out[i] = table[Int(source[3 * i])]
                        out[n + i] = table[Int(source[3 * i + 1])]
                        out[2 * n + i] = table[Int(source[3 * i + 2])]
                    }
                } else {
                    for i in 0..<n {
                        for c in 0..<channels { out[c * n + i] = table[Int(source[channels * i + c])] }
                    }
                }
            }
            initialized = n * channels
        }
    }

    /// Planar `0...1` samples from interleaved 16-bit samples (native byte order).
    static func planar(
        fromInterleaved16 source: UnsafeBufferPointer<UInt16>, width: Int, height: Int, channels: Int
    ) -> [Float] {
        let n = width * height
        return [Float](unsafeUninitializedCapacity: n * channels) { out, initialized in
            for i in 0..<n {
                for c in 0..<channels { out[c * n + i] = Float(source[channels * i + c]) / 65535 }
            }
            initialized = n * channels
        }
    }

    /// `v` in `0...1` to `0...255`, rounded to nearest; out-of-range values are clamped.
    @inline(__always)
    static func byte(_ v: Float) -> UInt8 {
        let scaled = v * 255 + 0.5
        if !(scaled > 0) { return 0 }  // also catches NaN
        if scaled >= 255 { return 255 }
        return UInt8(scaled)
    }

    /// `v` in `0...1` to `0...65535`, rounded to nearest and clamped.
    @inline(__always)
    static func word(_ v: Float) -> UInt16 {
        let scaled = v * 65535 + 0.5
        if !(scaled > 0) { return 0 }
        if scaled >= 65535 { return 65535 }
        return UInt16(scaled)
    }

    /// Interleaved 8-bit samples of `image` (all channels).
    static func interleavedBytes(_ image: Image) -> [UInt8] {
        let n = image.pixelCount, channels = image.channels
        return image.pixels.withUnsafeBufferPointer { p in
            [UInt8](unsafeUninitializedCapacity: n * channels) { out, initialized in
                for i in 0..<n {
                    for c in 0..<channels { out[channels * i + c] = byte(p[c * n + i]) }
                }
                initialized = n * channels
            }
        }
    }

    /// Interleaved 16-bit samples of `image` (all channels), native byte order.
    static func interleavedWords(_ image: Image) -> [UInt16] {
        let n = image.pixelCount, channels = image.channels
        return image.pixels.withUnsafeBufferPointer { p in
            [UInt16](unsafeUninitializedCapacity: n * channels) { out, initialized in
                for i in 0..<n {
                    for c in 0..<channels { out[channels * i + c] = word(p[c * n + i]) }
                }
                initialized = n * channels
            }
        }
    }
}
