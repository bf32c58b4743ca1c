/// The processes (ranks) of a data-parallel job, and the collective operations the training
/// code needs from them: every rank calls the same operations in the same order with buffers
/// of the same sizes.
///
/// The library trains with any group: ``SingleProcessGroup`` (one process, every operation
/// the identity) by default; the `Distributed` target's `MPIProcessGroup` runs the ranks
/// started by `mpirun`. Nothing below this protocol knows about MPI.
///
/// ```swift
/// var gradients: [Float] = ...
/// gradients.withUnsafeMutableBufferPointer { group.allReduceSum($0) }   // sum over ranks
/// ```
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's number, `0..<size`; rank 0 writes the reports and checkpoints.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Replaces `values` on every rank with the element-wise sum over all ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Replaces `values` on every rank with the element-wise sum over all ranks (double
    /// precision, for loss sums and statistics).
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Replaces `values` on every rank with rank `root`'s.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int)
    /// Replaces `bytes` on every rank with rank `root`'s.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int)
}

extension ProcessGroup {
    /// Whether this is rank 0, the one that writes.
    public var isRoot: Bool { rank == 0 }

    /// The sum of `values` over all ranks.
    public func sum(_ values: [Double]) -> [Double] {
        var result = values
        result.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return result
    }

    /// Replaces `tensor` on every rank with rank `root`'s (same shape on every rank).
    public func broadcast(_ tensor: inout Tensor, from root: Int) {
        tensor.withUnsafeMutableBufferPointer { broadcast($0, from: root) }
    }

    /// Rank `root`'s bytes on every rank (any length: the length goes first).
    ///
    /// The other ranks' `bytes` are ignored.
    public func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] {
        var length = [UInt64(rank == root ? bytes.count : 0)]
        length.withUnsafeMutableBytes { broadcast($0, from: root) }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        if !result.isEmpty { result.withUnsafeMutableBytes { broadcast($0, from: root) } }
        return result
    }
}

extension ProcessGroup {
    /// The name of the first field whose value on some rank differs from rank 0's, the same
    /// answer on every rank (nil when all agree). Every rank passes the same field names in the
    /// same order; values are compared as text. Call it before the first collective of a job
    /// whose ranks must share a configuration: ranks that disagree on a batch size or a data
    /// set would otherwise exchange buffers of different sizes.
    public func firstDisagreement(_ fields: KeyValuePairs<String, String>) -> String? {
        let separator = UInt8(0)
        let mine = fields.map { Array($0.value.utf8) }
        let roots = broadcast(Array(mine.joined(separator: [separator])), from: 0)
            .split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
        var differs = mine.indices.map { index in index < roots.count && roots[index] == mine[index] ? 0.0 : 1.0 }
        if roots.count != mine.count && !differs.isEmpty { differs[differs.count - 1] = 1 }
        differs.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return zip(fields, differs).first { $0.1 > 0 }?.0.key
    }
}
