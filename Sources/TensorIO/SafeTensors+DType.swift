extension SafeTensors {
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

    /// Every dtype name of the reference implementation (safetensors 0.8).
    static let formatDTypeNames: [String] = [
        "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
        "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
        "F64", "I64", "U64"
    ]
}
