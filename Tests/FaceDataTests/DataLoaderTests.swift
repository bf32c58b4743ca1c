import Foundation
import Tensor
import TestSupport
import Testing
import Vision

@testable import FaceData

/// A cheap dataset: sample i's input is filled with i and one random draw, so augmentation
/// determinism can be checked without images. Throws for `failing`.
struct CountingDataset: KeypointDataset {
    var count: Int
    var failing: Int? = nil
    func sample(at index: Int, using generator: inout RandomGenerator) throws -> Sample {
        if index == failing { throw FaceDataError(.badImage, file: "sample\(index).jpg", "expected a decodable image") }
        let noise = generator.nextUniform()
        let input = Tensor(shape: [1, 2, 3], values: [Float](repeating: Float(index), count: 5) + [noise])
        let info = SampleInfo(
            index: index, identity: "\(index)", transform: .identity,
            normalization: TargetNormalization(width: 4, height: 4), keypoints: [Point(1, 2)])
        return Sample(input: input, target: Tensor([Float(index), noise]), info: info)
    }
}

@Suite("DataLoader: shuffling, batching, prefetch, determinism")
struct DataLoaderTests {
    static func collect<D: KeypointDataset>(_ loader: DataLoader<D>, epoch: Int) throws -> [Batch] {
        var batches: [Batch] = []
        try loader.forEachBatch(epoch: epoch) { batches.append($0) }
        return batches
    }

    @Test("every sample once per epoch; batch sizes; drop-last")
    func coverage() throws {
        let dataset = CountingDataset(count: 10)
        let loader = DataLoader(dataset: dataset, batchSize: 3, shuffle: true, seed: 4, workers: 2)
        let batches = try Self.collect(loader, epoch: 0)
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(loader.batchCount == 4)
        #expect(batches.flatMap(\.indices).sorted() == Array(0..<10))
        #expect(batches.flatMap(\.indices) != Array(0..<10))  // shuffled
        #expect(batches[0].inputs.shape == [3, 1, 2, 3] && batches[0].targets.shape == [3, 2])
        for batch in batches {
            for (k, index) in batch.indices.enumerated() {
                #expect(batch.inputs[k, 0, 0, 0] == Float(index) && batch.targets[k, 0] == Float(index))
            }
        }
        let dropping = DataLoader(dataset: dataset, batchSize: 3, shuffle: true, dropLast: true, seed: 4, workers: 2)
        let kept = try Self.collect(dropping, epoch: 0)
        #expect(kept.map(\.count) == [3, 3, 3] && dropping.batchCount == 3)
        #expect(Set(kept.flatMap(\.indices)).count == 9)
        let ordered = DataLoader(dataset: dataset, batchSize: 4, shuffle: false, workers: 0)
        #expect(try Self.collect(ordered, epoch: 5).flatMap(\.indices) == Array(0..<10))
        #expect(DataLoader(dataset: CountingDataset(count: 2), batchSize: 3, dropLast: true).batchCount == 0)
        #expect(
            try Self.collect(DataLoader(dataset: CountingDataset(count: 2), batchSize: 3, dropLast: true), epoch: 0)
                .isEmpty)
    }

    @Test("the same seed gives the same batches whatever the number of workers and prefetch depth")
    func determinism() throws {
        let dataset = CountingDataset(count: 37)
        let reference = try Self.collect(DataLoader(dataset: dataset, batchSize: 5, seed: 11, workers: 0), epoch: 3)
        for (workers, prefetch) in [(1, 1), (2, 2), (4, 3), (3, 8)] {
            let batches = try Self.collect(
                DataLoader(dataset: dataset, batchSize: 5, seed: 11, workers: workers, prefetch: prefetch), epoch: 3)
            #expect(batches.map(\.indices) == reference.map(\.indices), "workers \(workers)")
            #expect(batches.map(\.inputs.scalars) == reference.map(\.inputs.scalars), "workers \(workers)")
        }
        let otherEpoch = try Self.collect(DataLoader(dataset: dataset, batchSize: 5, seed: 11, workers: 2), epoch: 4)
        #expect(otherEpoch.map(\.indices) != reference.map(\.indices))
        let otherSeed = try Self.collect(DataLoader(dataset: dataset, batchSize: 5, seed: 12, workers: 2), epoch: 3)
        #expect(otherSeed.map(\.indices) != reference.map(\.indices))
        // A sample's augmentation depends on (seed, epoch, index), not on where it lands.
        let unshuffled = try Self.collect(
            DataLoader(dataset: dataset, batchSize: 7, shuffle: false, seed: 11, workers: 2), epoch: 3)
        var noise: [Int: Float] = [:]
        for batch in unshuffled { for (k, i) in batch.indices.enumerated() { noise[i] = batch.targets[k, 1] } }
        for batch in reference { for (k, i) in batch.indices.enumerated() { #expect(batch.targets[k, 1] == noise[i]) } }
    }

    @Test("sample weights: draws in proportion, each draw its own augmentation, the same for any workers")
    func weightedDraws() throws {
        let dataset = CountingDataset(count: 4)
        let weights = [0, 1, 3, 0.0]
        let loader = DataLoader(dataset: dataset, batchSize: 3, seed: 5, workers: 2, sampleWeights: weights)
        var counts = [Int](repeating: 0, count: 4), repeatsDifferInNoise = false
        for epoch in 0..<400 {
            let batches = try Self.collect(loader, epoch: epoch)
            #expect(batches.map(\.count) == [3, 1], "an epoch is count draws")
            var noise: [Int: Float] = [:]
            for batch in batches {
                for (k, index) in batch.indices.enumerated() {
                    counts[index] += 1
                    if let earlier = noise[index], earlier != batch.targets[k, 1] { repeatsDifferInNoise = true }
                    noise[index] = batch.targets[k, 1]
                }
            }
        }
        #expect(counts[0] == 0 && counts[3] == 0, "zero weight: never drawn")
        // 1600 draws, p = 3/4: the count of sample 2 is 1200 ± 17 (one standard deviation).
        #expect(abs(counts[2] - 1200) < 90, "\(counts)")
        #expect(repeatsDifferInNoise, "a sample drawn twice in an epoch is augmented twice")
        let serial = DataLoader(dataset: dataset, batchSize: 3, seed: 5, workers: 0, sampleWeights: weights)
        #expect(
            try Self.collect(serial, epoch: 7).map(\.inputs.scalars)
                == Self.collect(loader, epoch: 7).map(\.inputs.scalars))
        #expect(loader.order(epoch: 7) != loader.order(epoch: 8))
    }

    @Test("a failing sample surfaces as an error at its batch, then the epoch ends")
    func errors() throws {
        for workers in [0, 2] {
            let loader = DataLoader(
                dataset: CountingDataset(count: 20, failing: 13), batchSize: 4, shuffle: false, workers: workers)
            let iterator = loader.makeIterator(epoch: 0)
            for _ in 0..<3 { #expect(try iterator.next() != nil) }
            expectFaceDataError(.badImage, mentions: ["sample13.jpg"]) { _ = try iterator.next() }
            #expect(try iterator.next() == nil)
            iterator.waitForWorkers()
        }
    }

    @Test("abandoning an epoch stops the workers")
    func cancellation() throws {
        let loader = DataLoader(dataset: CountingDataset(count: 1000), batchSize: 2, workers: 3, prefetch: 2)
        let iterator = loader.makeIterator(epoch: 0)
        #expect(try iterator.next()?.count == 2)
        iterator.cancel()
        iterator.waitForWorkers()
        #expect(try iterator.next() == nil)
        // Dropping an iterator without cancelling must not hang either.
        for _ in 0..<3 { _ = try loader.makeIterator(epoch: 1).next() }
    }

    @Test("real images: augmented IMM batches are identical with 0 and 2 workers")
    func realImages() throws {
        var config = FaceDatasetConfiguration.immFace(width: 64, height: 48)
        config.cache = .none
        config.augmentation = .standard
        let all = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        let dataset = all.subset([0, 5, 9, 20, 33, 47])
        let a = try Self.collect(DataLoader(dataset: dataset, batchSize: 4, seed: 2, workers: 0), epoch: 1)
        let b = try Self.collect(DataLoader(dataset: dataset, batchSize: 4, seed: 2, workers: 2, prefetch: 2), epoch: 1)
        #expect(a.map(\.count) == [4, 2])
        #expect(a[0].inputs.shape == [4, 1, 48, 64] && a[0].targets.shape == [4, 116])
        #expect(a.map(\.inputs.scalars) == b.map(\.inputs.scalars))
        #expect(a.map(\.targets.scalars) == b.map(\.targets.scalars))
        #expect(a.flatMap(\.info).map(\.identity) == b.flatMap(\.info).map(\.identity))
    }
}
