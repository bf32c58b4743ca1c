/// Why a distributed job could not start.
public enum DistributedError: Error, CustomStringConvertible {
    /// `MPI_Init` failed.
    case startFailed(code: Int, message: String)

    public var description: String {
        switch self {
        case .startFailed(let code, let message):
            return
                "MPI could not start (error \(code): \(message)); run the command under mpirun (mpirun -np 2 keypoints ... --distributed) "
                + "with Open MPI installed (apt-get install -y libopenmpi-dev openmpi-bin)"
        }
    }
}
