import Foundation
import Tensor
import Vision

/// Shuffles, batches and prefetches samples of a ``KeypointDataset``.
///
/// Determinism: the epoch's order comes from `(seed, epoch)` and each sample's augmentation
/// from its own generator seeded by `(seed, epoch, sample index)` (with ``sampleWeights``, by
/// its position in the epoch), so the batches are the same whatever the number of workers and
/// however threads are scheduled.
///
/// Sharding (data parallelism): with a ``DataShard`` other than ``DataShard/whole``, the
/// epoch's order is cut into global batches of `batchSize * shard.count` and this loader
/// delivers only its rank's share of each (`batchSize` samples; fewer, or ``Batch/empty``, in
/// the last one). Every rank gets the same number of batches.
///
/// Prefetch: with `workers >= 1`, background threads build the next `prefetch` batches
/// (decode, warp, jitter, stack) while the caller trains on the current one; the queue is
/// bounded, and batches come out in order.
///
/// ```swift
/// let loader = DataLoader(dataset: train, batchSize: 16, shuffle: true, seed: 1, workers: 1, prefetch: 3)
/// for epoch in 0..<10 {
///     let batches = loader.makeIterator(epoch: epoch)
///     while let batch = try batches.next() {
///         // batch.inputs [16, 1, 224, 224], batch.targets [16, 136]
///     }
/// }
/// ```
public struct DataLoader<Dataset: KeypointDataset>: Sendable {
    /// The dataset the samples come from.
    public let dataset: Dataset
    /// Samples per batch on this rank; a step over all ranks trains ``globalBatchSize``.
    public let batchSize: Int
    /// Whether each epoch's order is a seeded shuffle rather than `0..<count` (unused with
    /// ``sampleWeights``).
    public let shuffle: Bool
    /// Whether an epoch leaves out its last global batch when that batch is smaller than
    /// ``globalBatchSize`` (PyTorch's `drop_last`).
    public let dropLast: Bool
    /// The seed of every epoch's order and of every sample's augmentation generator.
    public let seed: UInt64
    /// Background threads building batches; 0 builds each batch on the caller's thread.
    public let workers: Int
    /// The most batches built ahead of the one the caller is using.
    public let prefetch: Int
    /// This process's share of each batch (``DataShard/whole`` unless training data-parallel).
    public let shard: DataShard
    /// Each sample's weight in drawing an epoch (``PoseBalancing/samplingWeights(_:strength:bins:)``):
    /// an epoch is then `count` draws with replacement, sample `i` with probability
    /// `weights[i] / sum(weights)`, each draw augmented by its own generator. nil: every
    /// sample once per epoch (shuffled unless `shuffle` is false).
    public let sampleWeights: [Double]?

    /// `batchSize` is per rank: with a shard of `count` ranks, a step trains `batchSize * count`
    /// samples over all ranks.
    public init(
        dataset: Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0,
        workers: Int = 1, prefetch: Int = 2, shard: DataShard = .whole, sampleWeights: [Double]? = nil
    ) {
        precondition(batchSize >= 1, "DataLoader: batchSize must be at least 1, got \(batchSize)")
        precondition(workers >= 0, "DataLoader: workers must be non-negative, got \(workers)")
        precondition(prefetch >= 1, "DataLoader: prefetch must be at least 1, got \(prefetch)")
        if let sampleWeights {
            precondition(
                sampleWeights.count == dataset.count && sampleWeights.allSatisfy { $0 >= 0 && $0.isFinite }
                    && sampleWeights.contains { $0 > 0 },
                "DataLoader: expected \(dataset.count) finite non-negative sample weights, not all 0")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.workers = workers
        self.prefetch = prefetch
        self.shard = shard
        self.sampleWeights = sampleWeights
    }

    /// Samples per step over all ranks: `batchSize * shard.count`.
    public var globalBatchSize: Int { batchSize * shard.count }

    /// Batches per epoch: `count / globalBatchSize`, rounded up unless `dropLast`.
    public var batchCount: Int {
        dropLast ? dataset.count / globalBatchSize : (dataset.count + globalBatchSize - 1) / globalBatchSize
    }

    /// The samples of batch `number` over all ranks (`globalBatchSize`, or fewer in the last).
    public func globalCount(ofBatch number: Int) -> Int {
        min(globalBatchSize, dataset.count - number * globalBatchSize)
    }

    /// The sample order of `epoch`: a seeded shuffle, `0..<count`, or with ``sampleWeights``
    /// `count` seeded weighted draws.
    public func order(epoch: Int) -> [Int] {
        var generator = RandomGenerator(seed: Self.mix(seed, UInt64(bitPattern: Int64(epoch)), 0x5348_5546_464C_4531))
        if let sampleWeights {
            var cumulative = [Double](), total = 0.0
            for weight in sampleWeights {
                total += weight
                cumulative.append(total)
            }
            return (0..<dataset.count).map { _ in
                // The first sample whose cumulative weight passes a uniform draw in [0, total).
                let target = Double(generator.next() >> 11) * 0x1p-53 * total
                var (low, high) = (0, dataset.count - 1)
                while low < high {
                    let middle = (low + high) / 2
                    if cumulative[middle] > target { high = middle } else { low = middle + 1 }
                }
                return low
            }
        }
        var indices = Array(0..<dataset.count)
        if shuffle { DataSplit.shuffle(&indices, using: &generator) }
        return indices
    }

    /// The generator for `sampleIndex` in `epoch`: independent of batch composition and threads.
    public func generator(epoch: Int, sampleIndex: Int) -> RandomGenerator {
        RandomGenerator(seed: Self.mix(seed, UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(sampleIndex))))
    }

    /// The generator of the sample at `position` of the epoch's order: its index's, or with
    /// ``sampleWeights`` (where a sample may be drawn twice) the position's own.
    func generator(epoch: Int, index: Int, position: Int) -> RandomGenerator {
        guard sampleWeights != nil else { return generator(epoch: epoch, sampleIndex: index) }
        return RandomGenerator(
            seed: Self.mix(
                seed ^ 0x5745_4947_4854_5344, UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(position))))
    }

    /// Builds batch `number` of `epoch` on the calling thread.
    public func batch(_ number: Int, epoch: Int) throws -> Batch {
        try batch(number, order: order(epoch: epoch), epoch: epoch)
    }

    func batch(_ number: Int, order: [Int], epoch: Int) throws -> Batch {
        precondition(
            (0..<batchCount).contains(number), "DataLoader.batch: batch \(number) is out of range 0..<\(batchCount)")
        let first = number * globalBatchSize, global = first..<min(order.count, (number + 1) * globalBatchSize)
        let positions = shard.positions(inBatchOf: global.count).map { first + $0 }
        guard !positions.isEmpty else { return .empty }
        let samples = try positions.map { position -> Sample in
            var generator = generator(epoch: epoch, index: order[position], position: position)
            return try dataset.sample(at: order[position], using: &generator)
        }
        return Batch(samples: samples)
    }

    /// The batches of `epoch`, built ahead in the background when `workers > 0`. Dropping the
    /// iterator (or calling ``BatchIterator/cancel()``) stops its workers.
    public func makeIterator(epoch: Int) -> BatchIterator {
        let order = order(epoch: epoch)
        let loader = self
        let build: @Sendable (Int) throws -> Batch = { number in try loader.batch(number, order: order, epoch: epoch) }
        return BatchIterator(count: batchCount, workers: workers, capacity: prefetch, build: build)
    }

    /// Calls `body` with every batch of `epoch`, in order.
    public func forEachBatch(epoch: Int, _ body: (Batch) throws -> Void) throws {
        let iterator = makeIterator(epoch: epoch)
        defer { iterator.cancel() }
        while let batch = try iterator.next() { try body(batch) }
    }

    /// SplitMix64-style mixing of three words into one seed.
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        func splitMix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return splitMix(splitMix(splitMix(a) ^ b) ^ c)
    }
}
