import CMPIShims
import Foundation
import Tensor

/// The ranks of a job started by `mpirun` (Open MPI), as a ``ProcessGroup``: collectives on
/// `MPI_COMM_WORLD`, summed with `MPI_Allreduce` and broadcast with `MPI_Bcast`.
///
/// Start it once per process, before any collective, and ``finalize()`` it after the last one
/// on every rank. An MPI failure (a rank that died, for example) ends the whole job, as MPI's
/// default error handler does; ``abort(code:)`` ends it on purpose (after an error on one rank,
/// so the others do not wait for it forever).
///
/// ```swift
/// let group = try MPIProcessGroup.start()      // mpirun -np 2 ./train
/// model.broadcastState(from: 0, over: group)   // the same weights everywhere
/// ...
/// group.finalize()
/// ```
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Starts MPI in this process. Without `mpirun`, Open MPI starts a job of one rank.
    public static func start() throws -> MPIProcessGroup {
        var error = [CChar](repeating: 0, count: 512)
        let status = fk_mpi_init(&error, Int32(error.count))
        guard status == 0 else {
            let text = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DistributedError.startFailed(code: Int(status), message: text)
        }
        return MPIProcessGroup(rank: Int(fk_mpi_rank()), size: Int(fk_mpi_size()))
    }

    /// The number of ranks `mpirun` started on this host (`OMPI_COMM_WORLD_LOCAL_SIZE`), or 1
    /// outside `mpirun`: share the host's cores among them.
    public static var ranksOnThisHost: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress, !values.isEmpty else { return }
        fk_mpi_allreduce_sum_floats(base, values.count)
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress, !values.isEmpty else { return }
        fk_mpi_allreduce_sum_doubles(base, values.count)
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {
        guard let base = values.baseAddress, !values.isEmpty else { return }
        fk_mpi_broadcast_floats(base, values.count, Int32(root))
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        fk_mpi_broadcast_bytes(base, bytes.count, Int32(root))
    }

    /// Waits until every rank has arrived.
    public func barrier() { fk_mpi_barrier() }

    /// Seconds on MPI's clock (for timing collectives).
    public var wallTime: Double { fk_mpi_wall_time() }

    /// Ends MPI; the last call on every rank.
    public func finalize() { fk_mpi_finalize() }

    /// Ends every rank of the job with exit status `code`.
    public func abort(code: Int32 = 1) -> Never {
        fk_mpi_abort(code)
        exit(code)
    }

    /// What this rank prints (one line on stderr, then exit status 1) when `mpirun` stops it
    /// because another rank ended abnormally (SIGTERM): say where the job can resume from.
    /// Call it again to replace the text (after each checkpoint, say).
    public func setTerminationMessage(_ message: String) {
        fk_mpi_set_termination_message(message)
    }
}
