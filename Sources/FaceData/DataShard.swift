/// This process's share of each batch in data-parallel training: rank `rank` of `count` ranks.
///
/// A sharded ``DataLoader`` cuts the epoch's seeded order into global batches of
/// `batchSize * count` samples, the same on every rank, and gives rank `r` the samples at
/// positions `r, r + count, r + 2 count, ...` of each global batch (PyTorch's
/// `DistributedSampler` stride). Together the ranks see exactly the batches one process sees
/// at `batchSize * count`, so averaging their gradients weighted by their share of each batch
/// reproduces the one-process step.
public struct DataShard: Sendable, Equatable, CustomStringConvertible {
    /// This process's rank, in `0..<count`.
    public let rank: Int
    /// The number of ranks (processes) sharing each global batch.
    public let count: Int

    /// Rank `rank` of `count` ranks (`count >= 1`, `rank` in `0..<count`).
    public init(rank: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(rank), "DataShard: rank \(rank) is not in 0..<\(count)")
        self.rank = rank
        self.count = count
    }

    /// The whole data set (one process).
    public static let whole = DataShard(rank: 0, count: 1)

    /// This rank's positions in a global batch of `size` samples.
    public func positions(inBatchOf size: Int) -> StrideTo<Int> {
        stride(from: rank, to: size, by: count)
    }

    public var description: String { "rank \(rank) of \(count)" }
}
