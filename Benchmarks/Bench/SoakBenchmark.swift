import Dispatch
import FaceData
import Foundation
import NN
import Optim
import Tensor
import Vision

/// Trains the part-1 NoseNet for `steps` steps on the IMM training set (batch 4, augmented,
/// background prefetch) and reports the resident memory after warm-up and at the end, so a
/// leak in the training step, the autograd graph or the data loader shows as growth.
func soak(data: URL, steps: Int, threads: Int) throws {
    ComputeThreads.set(threads)
    var configuration = FaceDatasetConfiguration.immNoseTip()
    configuration.augmentation = Augmentation(
        rotation: 5, shift: 0.03, scale: 0.95...1.05, flipProbability: 0.5,
        colorJitter: ColorJitter(brightness: 0.2, contrast: 0.2))
    let dataset = try FaceDataset.imm(
        folder: data.appendingPathComponent("imm_face_db"), split: .train, configuration: configuration)
    let loader = DataLoader(dataset: dataset, batchSize: 4, shuffle: true, seed: 1, workers: 1, prefetch: 2)
    var generator = RandomGenerator(seed: 1)
    let model = NoseNet(using: &generator)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    var step = 0, epoch = 0
    var warmRSS = 0.0
    let start = DispatchTime.now().uptimeNanoseconds
    print(String(format: "step %6d: RSS %.1f MB (before training)", 0, residentMegabytes()))
    while step < steps {
        try loader.forEachBatch(epoch: epoch) { batch in
            guard step < steps else { return }
            optimizer.zeroGrad()
            mseLoss(model(batch.inputs), batch.targets).backward()
            optimizer.step()
            step += 1
            if step == 100 { warmRSS = residentMegabytes() }
            if step % 1000 == 0 || step == 100 {
                print(String(format: "step %6d: RSS %.1f MB", step, residentMegabytes()))
            }
        }
        epoch += 1
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(
        String(
            format:
                "%d steps (%d epochs) in %.1f s; RSS after warm-up (step 100) %.1f MB, at the end %.1f MB, peak %.1f MB",
            steps, epoch, seconds, warmRSS, residentMegabytes(), peakResidentMegabytes()))
}
