import Foundation
import NN
import Tensor

/// Checks, before anything is timed, that the Swift models compute what PyTorch computes
/// for the same weights: PyTorch writes a state dict, an input, its evaluation and training
/// outputs and the MSE-loss gradients (`pytorch_bench.py --verify`); Swift loads the state
/// dict, runs the same batch and compares. Speed is never bought with wrong answers.
struct Verification {
    let python: PythonSide

    struct Result {
        let model: String
        /// Largest `|ours - theirs| / max|theirs|` over the outputs and over the gradients.
        let outputError: Float
        let gradientError: Float
        var passed: Bool { outputError < 1e-3 && gradientError < 2e-3 }
    }

    func run(_ kind: BenchmarkModel, batch: Int) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keypoints-bench-\(getpid())-\(kind.rawValue)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try python.run(["--verify", kind.rawValue, String(batch), directory.path])
        let file = try SafeTensors.read(contentsOf: directory.appendingPathComponent("\(kind.rawValue).safetensors"))
        var generator = RandomGenerator(seed: 0)
        let model = kind.make(using: &generator)
        let state = Dictionary(uniqueKeysWithValues: file.tensors.filter { $0.key.hasPrefix("state.") }.map { (String($0.key.dropFirst(6)), $0.value) })
        try model.loadStateDict(state)
        guard let input = file.tensors["input"], let targets = file.tensors["targets"],
              let evaluation = file.tensors["output.eval"], let training = file.tensors["output.train"] else {
            throw BenchmarkError("verification file for \(kind.rawValue) lacks input, targets or outputs")
        }
        model.eval()
        var outputError = relativeError(withoutGradients { model(input) }, evaluation)
        model.train()
        let output = model(input)
        outputError = Swift.max(outputError, relativeError(output, training))
        mseLoss(output, targets).backward()
        var gradientError: Float = 0
        for (name, parameter) in model.namedParameters() {
            guard let expected = file.tensors["grad." + name], let grad = parameter.grad else {
                throw BenchmarkError("\(kind.rawValue): no gradient for \(name)")
            }
            gradientError = Swift.max(gradientError, relativeError(grad, expected))
        }
        return Result(model: kind.rawValue, outputError: outputError, gradientError: gradientError)
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
