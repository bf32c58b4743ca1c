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
