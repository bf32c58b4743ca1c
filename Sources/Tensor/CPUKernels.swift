import CKernels
import Foundation

/// The CPU-specific fast paths the library may take, chosen once per process.
///
/// Every fast path has a portable twin that computes the same values up to float32 rounding:
/// the narrow matrix product on AVX-512 (``sgemm(transposeA:transposeB:m:n:k:alpha:a:b:beta:c:)``)
/// falls back to OpenBLAS. The environment variable `FACEKEYPOINTS_KERNELS` selects:
/// - `auto` (the default): each fast path the CPU supports;
/// - `portable`: none of them, so a machine with AVX-512 runs what an AVX2-only one runs
///   (the tests run once each way).
/// Any other value is reported once on standard error and treated as `portable`: a path the
/// user tried to turn off is never taken because of a typo.
public enum CPUKernels {
    /// What `FACEKEYPOINTS_KERNELS` asks for.
    public enum Selection: String, Sendable {
        /// `auto` takes every fast path the CPU supports; `portable` takes none of them.
        case auto, portable
    }

    /// The environment variable read once, at first use.
    public static let environmentVariable = "FACEKEYPOINTS_KERNELS"

    /// The selection in force for this process.
    public static let selection: Selection = {
        guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty else { return .auto }
        if let selection = Selection(rawValue: value.lowercased()) { return selection }
        FileHandle.standardError.write(
            Data(
                "warning: \(environmentVariable)=\(value) is not 'auto' or 'portable'; using the portable kernels\n"
                    .utf8))
        return .portable
    }()

    /// Whether the AVX-512 narrow product (`fk_sgemm_narrow`) runs: the CPU has AVX-512F and
    /// the selection is `auto`.
    public static let avx512NarrowProduct: Bool = selection == .auto && fk_has_avx512() != 0

    /// The fast paths in use, by name (empty when only portable code runs), for benchmark
    /// tables and bug reports.
    public static var activePaths: [String] {
        avx512NarrowProduct ? ["avx512-narrow-product"] : []
    }
}
