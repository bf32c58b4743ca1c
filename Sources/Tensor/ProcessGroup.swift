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

/// One process on its own: sums and broadcasts leave the values as they are.
public final class SingleProcessGroup: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}
}
