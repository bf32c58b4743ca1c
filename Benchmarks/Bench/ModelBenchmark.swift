import Foundation
import NN
import Optim
import Tensor

/// The models the benchmark compares, built as `Benchmarks/pytorch_bench.py` builds them.
enum BenchmarkModel: String, CaseIterable {
    case nosenet, facenet, resnet18
    /// PIPNet's heatmap head on ResNet18's trunk (68 points, 10 neighbours): its five maps joined.
    case pipnet
    /// The same at stride 16 (the trunk's map upsampled by a transposed convolution): 14 x 14 cells.
    case pipnet16
    /// The integral-regression head on ResNet18's trunk (68 points): stride-8 heatmaps, soft-argmax.
    case integral

    var inputShape: [Int] {
        switch self {
        case .nosenet: [1, 60, 80]
        case .facenet: [1, 180, 240]
        case .resnet18, .pipnet, .pipnet16, .integral: [1, 224, 224]
        }
    }

    func make(using generator: inout RandomGenerator) -> Module {
        switch self {
        case .nosenet: NoseNet(using: &generator)
        case .facenet: StudyPart2Net(using: &generator)
        case .resnet18: NN.resnet18(inputChannels: 1, outputs: 136, using: &generator)
        case .pipnet: PIPNet(inputChannels: 1, points: 68, neighbours: 10, using: &generator)
        case .pipnet16: PIPNet(inputChannels: 1, points: 68, neighbours: 10, stride: 16, using: &generator)
        case .integral: IntegralRegressionNet(inputChannels: 1, points: 68, using: &generator)
        }
    }
}

/// One row of the benchmark: a model, a batch size, a thread count and a mode.
struct BenchmarkRow: Codable, Hashable {
    var model: String
    var batch: Int
    var threads: Int
    var mode: String  // "train" or "infer"

    /// The rows of issue 7: NoseNet and the part-2 CNN at batch 4 and 64, ResNet18 at batch 1
    /// (inference only), 16 and 64; each with 1 and 2 threads, training and inference. Then
    /// PIPNet (at strides 32 and 16) and the integral-regression head at batch 1 (inference only) and 16, beside
    /// ResNet18's regression.
    static let all: [BenchmarkRow] = {
        var rows: [BenchmarkRow] = []
        for (model, batches) in [
            ("nosenet", [4, 64]), ("facenet", [4, 64]), ("resnet18", [1, 16, 64]), ("pipnet", [1, 16]),
            ("pipnet16", [1, 16]), ("integral", [1, 16])
        ] {
            for batch in batches {
                for mode in ["train", "infer"] where batch > 1 || mode == "infer" {  // batch 1: latency only
                    for threads in [1, 2] {
                        rows.append(BenchmarkRow(model: model, batch: batch, threads: threads, mode: mode))
                    }
                }
            }
        }
        return rows
    }()
}

/// What one side measured for one row (also the JSON a `row --json` child prints).
struct RowMeasurement: Codable {
    var imagesPerSecond: Double
    var steps: Int
    var peakMB: Double
    var blasCore: String?

    enum CodingKeys: String, CodingKey {
        case imagesPerSecond = "images_per_second"
        case steps
        case peakMB = "peak_mb"
        case blasCore = "blas_core"
    }
}

/// Images per second of training steps (forward, backward, Adam step, MSE loss) or inference
/// (evaluation mode, no gradients), timed over at least `seconds` and 3 steps after warm-up
/// steps (two, or one when a step is slow).
func measureImagesPerSecond(
    _ row: BenchmarkRow, seconds: Double = 4
) throws -> (imagesPerSecond: Double, steps: Int, coresBusy: Double) {
    ComputeThreads.set(row.threads)
    let step = try makeStep(row)
    let warmUp = time(step)
    if warmUp < 1 { step() }
    var steps = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let startCPU = processCPUSeconds()
    var elapsed = 0.0
    while elapsed < seconds || steps < 3 {
        step()
        steps += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return (Double(steps * row.batch) / elapsed, steps, (processCPUSeconds() - startCPU) / elapsed)
}

/// Images per second on 1 and on 2 threads, measured in one process in alternating rounds of
/// `steps` steps each (same model, same buffers), so that the machine's drift meets both alike.
func measureScaling(_ row: BenchmarkRow, rounds: Int, steps: Int) throws -> [(one: Double, two: Double)] {
    let step = try makeStep(row)
    func imagesPerSecond(threads: Int) -> Double {
        ComputeThreads.set(threads)
        step()  // the first step after a change of thread count may lay out buffers anew
        let seconds = time { for _ in 0..<steps { step() } }
        return Double(steps * row.batch) / seconds
    }
    return (0..<rounds).map { _ in (imagesPerSecond(threads: 1), imagesPerSecond(threads: 2)) }
}

/// One training step (zero gradients, forward, MSE loss, backward, Adam) or one inference for
/// `row`, on a model and inputs built from seed 0.
func makeStep(_ row: BenchmarkRow) throws -> () -> Void {
    guard let kind = BenchmarkModel(rawValue: row.model) else { throw BenchmarkError("unknown model \(row.model)") }
    var generator = RandomGenerator(seed: 0)
    let model = kind.make(using: &generator)
    let input = Tensor.randomNormal([row.batch] + kind.inputShape, using: &generator)
    let outputs = withoutGradients {
        model.eval()
        return model(Tensor.zeros([2] + kind.inputShape))
    }.shape.dropFirst()
    let targets = Tensor.randomNormal([row.batch] + outputs, using: &generator)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-4)
    if row.mode == "train" {
        model.train()
        return {
            optimizer.zeroGrad()
            let loss = mseLoss(model(input), targets)
            loss.backward()
            optimizer.step()
        }
    }
    model.eval()
    return { _ = withoutGradients { model(input) } }
}

/// User and system CPU time of the whole process (all threads) so far.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// VmHWM (peak resident set size) of this process from /proc/self/status, in MB.
func peakResidentMegabytes() -> Double { statusMegabytes("VmHWM") }

/// VmRSS (current resident set size) of this process, in MB.
func residentMegabytes() -> Double { statusMegabytes("VmRSS") }

/// A memory field of /proc/self/status, in MB.
func statusMegabytes(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.count >= 2, let kilobytes = Double(fields[1]) { return kilobytes / 1024 }
    }
    return .nan
}
