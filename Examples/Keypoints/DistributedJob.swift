import Distributed
import FaceKeypoints
import Foundation

/// A training command run with `--distributed` under `mpirun`: starts MPI, makes sure an error
/// on any rank ends the whole job with one line instead of leaving the others waiting, and
/// tells the user what to do when `mpirun` stops the job because another rank died.
struct DistributedJob {
    let group: MPIProcessGroup
    let checkpoint: URL

    /// Starts MPI; `output` is the run's folder (for the message when the job is stopped).
    static func start(output: URL) throws -> DistributedJob {
        let job = DistributedJob(
            group: try MPIProcessGroup.start(), checkpoint: output.appendingPathComponent("checkpoint.safetensors"))
        job.updateTerminationMessage(checkpointWritten: CommandLine.arguments.contains("--resume"))
        return job
    }

    /// Runs `body` on this rank, then ends MPI. An error prints `Error: rank R: ...` and aborts
    /// every rank with status 1.
    func run(_ body: () throws -> Void) {
        do {
            try body()
        } catch TrainingError.ranksDisagree(let field, let ranks) {
            // Every rank finds it; rank 0 says it once and ends the job, the others wait to be ended.
            if group.isRoot {
                printError("Error: \(TrainingError.ranksDisagree(field: field, ranks: ranks))")
            } else {
                sleep(10)
            }
            group.abort(code: 1)
        } catch {
            printError("Error: rank \(group.rank) of \(group.size): \(error)")
            group.abort(code: 1)
        }
        group.finalize()
    }

    /// Rank 0's line on stderr when `mpirun` stops the job (SIGTERM after another rank died):
    /// where to resume from. The other ranks exit silently, so the job ends with one error.
    /// Call it after each epoch's checkpoint.
    func updateTerminationMessage(checkpointWritten: Bool = true) {
        guard group.isRoot else { return group.setTerminationMessage("") }
        let command = CommandLine.arguments.contains("--resume") ? "the same command" : "the same command and --resume"
        if checkpointWritten && FileManager.default.fileExists(atPath: checkpoint.path) {
            group.setTerminationMessage(
                "Error: the distributed job was stopped (a rank ended or mpirun was interrupted); "
                    + "the last checkpoint, \(checkpoint.path), is intact: continue with \(command)")
        } else {
            group.setTerminationMessage(
                "Error: the distributed job was stopped (a rank ended or mpirun was interrupted) "
                    + "before its first checkpoint; start it again")
        }
    }
}
