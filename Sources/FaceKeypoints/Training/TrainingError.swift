import Foundation

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible, LocalizedError {
    /// A setting, option or dataset that cannot be used; the message names it and what is allowed.
    case invalidConfiguration(String)
    /// A loss or gradient became NaN or infinite.
    case nonFinite(what: String, epoch: Int, step: Int, samples: [String], lastCheckpoint: String?)
    /// The checkpoint in the output folder does not fit this run.
    case checkpointMismatch(file: String, reason: String)
    /// The ranks of a distributed run were started with different settings, data or models.
    case ranksDisagree(field: String, ranks: Int)

    /// A message for the user that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return message
        case .nonFinite(let what, let epoch, let step, let samples, let checkpoint):
            return
                "the \(what) became NaN or infinite at epoch \(epoch), step \(step) (batch of \(samples.prefix(4).joined(separator: ", "))\(samples.count > 4 ? ", ..." : "")); "
                + (checkpoint.map {
                    "the last good checkpoint is \($0), untouched; lower the learning rate and resume from it"
                } ?? "no checkpoint was written yet; lower the learning rate and start again")
        case .checkpointMismatch(let file, let reason):
            return
                "\(file): cannot resume: \(reason). Resume with the interrupted run's settings and data, or train into another folder"
        case .ranksDisagree(let field, let ranks):
            return "the \(ranks) ranks do not agree on the \(field); start every rank with the same options and data"
        }
    }

    /// The same text as `description`, for `LocalizedError`.
    public var errorDescription: String? { description }
}
