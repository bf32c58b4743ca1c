import Foundation
import NN
import Tensor
import TensorIO

/// Checks, before anything is timed, that the Swift models compute what PyTorch computes
/// for the same weights: PyTorch writes a state dict, an input, its evaluation and training
/// outputs and the MSE-loss gradients, in float32 and in float64 (`pytorch_bench.py
/// --verify`); Swift loads the state dict, runs the same batch and compares.
///
/// Both float32 results are measured against the float64 one: training-mode batch norm over
/// a small batch is ill-conditioned, so two correct float32 computations can differ from each
/// other by more than either differs from the exact values. Ours passes when its error is at
/// most ``Result/allowedFactor`` times PyTorch float32's own (or below ``Result/floor``).
/// Speed is never bought with wrong answers.
struct Verification {
    let python: PythonSide

    struct Result {
        let model: String
        /// Largest `|value - exact| / max|exact|` over the outputs, and over the gradients
        /// (each tensor against its own largest exact value): ours and PyTorch float32's.
        let outputError: Float, pytorchOutputError: Float
        let gradientError: Float, pytorchGradientError: Float

        /// How much worse than PyTorch float32 our error may be.
        static let allowedFactor: Float = 4
        /// An error this small passes whatever PyTorch's is (float32 rounding of a short sum).
        static let floor: Float = 1e-4

        var passed: Bool {
            outputError <= Swift.max(Self.allowedFactor * pytorchOutputError, Self.floor)
                && gradientError <= Swift.max(Self.allowedFactor * pytorchGradientError, Self.floor)
        }

        var summary: String {
            String(
                format:
                    "%@ against float64: outputs within %.1e (PyTorch float32 %.1e), gradients within %.1e (PyTorch float32 %.1e); "
                    + "allowed: %.0fx PyTorch's or %.0e", model, outputError, pytorchOutputError, gradientError,
                pytorchGradientError,
                Self.allowedFactor, Self.floor)
        }
    }

    /// Verifies the six models (NoseNet batch 3, FaceNet 2, ResNet18 2, PIPNet at both strides 2, integral 2), saying each
    /// result; throws at the first that fails.
    func runAll(say: (String) -> Void) throws {
        for (kind, batch) in [
            (BenchmarkModel.nosenet, 3), (.facenet, 2), (.resnet18, 2), (.pipnet, 2), (.pipnet16, 2), (.integral, 2)
        ] {
            let result = try run(kind, batch: batch)
            say((result.passed ? "verified " : "FAILED ") + result.summary)
            guard result.passed else {
                throw BenchmarkError(
                    "\(result.model) is further from float64 than PyTorch float32 allows; not timing it")
            }
        }
    }

    func run(_ kind: BenchmarkModel, batch: Int) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "keypoints-bench-\(getpid())-\(kind.rawValue)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try python.run(["--verify", kind.rawValue, String(batch), directory.path])
        let file = try SafeTensors.read(contentsOf: directory.appendingPathComponent("\(kind.rawValue).safetensors"))
        func tensor(_ key: String) throws -> Tensor {
            guard let value = file.tensors[key] else {
                throw BenchmarkError("verification file for \(kind.rawValue) lacks '\(key)'")
            }
            return value
        }
        var generator = RandomGenerator(seed: 0)
        let model = kind.make(using: &generator)
        try model.loadStateDict(file.tensors(inSection: "state"))
        let input = try tensor("input")

        var outputError: Float = 0, pytorchOutputError: Float = 0
        model.eval()
        let evaluation = withoutGradients { model(input) }
        model.train()
        let training = model(input)
        for (ours, key) in [(evaluation, "output.eval"), (training, "output.train")] {
            let exact = try tensor("exact." + key)
            outputError = Swift.max(outputError, relativeError(ours, exact))
            pytorchOutputError = Swift.max(pytorchOutputError, relativeError(try tensor(key), exact))
        }
        mseLoss(training, try tensor("targets")).backward()
        var gradientError: Float = 0, pytorchGradientError: Float = 0
        for (name, parameter) in model.namedParameters() {
            guard let grad = parameter.grad else { throw BenchmarkError("\(kind.rawValue): no gradient for \(name)") }
            let exact = try tensor("exact.grad." + name)
            gradientError = Swift.max(gradientError, relativeError(grad, exact))
            pytorchGradientError = Swift.max(pytorchGradientError, relativeError(try tensor("grad." + name), exact))
        }
        return Result(
            model: kind.rawValue, outputError: outputError, pytorchOutputError: pytorchOutputError,
            gradientError: gradientError, pytorchGradientError: pytorchGradientError)
    }

    /// `max|a - b| / max|b|` (absolute when `b` is all zeros).
    func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "verification: shapes \(a.shape) and \(b.shape) differ")
        let x = a.scalars, y = b.scalars
        var difference: Float = 0, scale: Float = 0
        for i in x.indices {
            difference = Swift.max(difference, Swift.abs(x[i] - y[i]))
            scale = Swift.max(scale, Swift.abs(y[i]))
        }
        return scale > 0 ? difference / scale : difference
    }
}
