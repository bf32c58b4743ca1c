import FaceData
import Foundation
import NN
import Optim
import Tensor

/// One part-3 training epoch: ResNet18 on the faces of a dlib imglab file, decoding and
/// augmenting (`.standard`) in a `DataLoader` with one background worker that prefetches
/// two batches while the model trains on the current one.
struct EpochMeasurement: Codable {
    /// Building the dataset (reading labels, decoding photos into the crop cache).
    var setupSeconds: Double
    /// The epoch itself: every batch built, forward, backward, Adam step.
    var seconds: Double
    var batches: Int
    var samples: Int
    var peakMB: Double

    enum CodingKeys: String, CodingKey {
        case setupSeconds = "setup_seconds"
        case seconds, batches, samples
        case peakMB = "peak_mb"
    }
}

func measureEpoch(labels: URL, threads: Int) throws -> EpochMeasurement {
    ComputeThreads.set(threads)
    let setupStart = DispatchTime.now().uptimeNanoseconds
    let dataset = try FaceDataset.imglab(labels, configuration: .ibug()).with(augmentation: .standard)
    let setup = Double(DispatchTime.now().uptimeNanoseconds - setupStart) / 1e9
    let loader = DataLoader(dataset: dataset, batchSize: 16, shuffle: true, seed: 1, workers: 1, prefetch: 2)
    var generator = RandomGenerator(seed: 0)
    let model = resnet18(inputChannels: 1, outputs: 2 * dataset.pointCount, using: &generator)
    model.train()
    let optimizer = try Adam(model.parameters(), learningRate: 1e-4)
    var batches = 0
    let start = DispatchTime.now().uptimeNanoseconds
    try loader.forEachBatch(epoch: 0) { batch in
        optimizer.zeroGrad()
        let loss = mseLoss(model(batch.inputs), batch.targets)
        loss.backward()
        optimizer.step()
        batches += 1
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return EpochMeasurement(
        setupSeconds: setup, seconds: seconds, batches: batches, samples: dataset.count, peakMB: peakResidentMegabytes()
    )
}
