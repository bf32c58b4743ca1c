import Foundation
import NN
import Optim
import Tensor

/// The models the benchmark compares, built as `Benchmarks/pytorch_bench.py` builds them.
enum BenchmarkModel: String, CaseIterable {
    case nosenet, facenet, resnet18

    var inputShape: [Int] {
        switch self {
        case .nosenet: [1, 60, 80]
        case .facenet: [1, 180, 240]
        case .resnet18: [1, 224, 224]
        }
    }

    func make(using generator: inout RandomGenerator) -> Module {
        switch self {
        case .nosenet: NoseNet(using: &generator)
        case .facenet: FaceNet(using: &generator)
        case .resnet18: NN.resnet18(inputChannels: 1, outputs: 136, using: &generator)
        }
    }
}

/// One row of the benchmark: a model, a batch size, a thread count and a mode.
struct BenchmarkRow: Codable {
    var model: String
    var batch: Int
    var threads: Int
    var mode: String   // "train" or "infer"
}

/// Images per second of training steps (forward, backward, Adam step, MSE loss) or inference
/// (evaluation mode, no gradients), timed over `seconds` after a warm-up.
func measureImagesPerSecond(_ row: BenchmarkRow, seconds: Double = 4) throws -> (imagesPerSecond: Double, steps: Int) {
    ComputeThreads.set(row.threads)
    guard let kind = BenchmarkModel(rawValue: row.model) else { throw BenchmarkError("unknown model \(row.model)") }
    var generator = RandomGenerator(seed: 0)
    let model = kind.make(using: &generator)
    let input = Tensor.randomNormal([row.batch] + kind.inputShape, using: &generator)
    let outputs = withoutGradients { model(Tensor.zeros([2] + kind.inputShape)) }.shape[1]
    let targets = Tensor.randomNormal([row.batch, outputs], using: &generator)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-4)
    let step: () -> Void
    if row.mode == "train" {
        model.train()
        step = {
            optimizer.zeroGrad()
            mseLoss(model(input), targets).backward()
            optimizer.step()
        }
    } else {
        model.eval()
        step = { _ = withoutGradients { model(input) } }
    }
    step()
    step()
    var steps = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while elapsed < seconds || steps < 3 {
        step()
        steps += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return (Double(steps * row.batch) / elapsed, steps)
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
