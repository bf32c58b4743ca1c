import Dispatch
import Foundation

/// What the trainer reports while it runs.
public enum TrainingProgress: Sendable {
    /// After each training step: the running mean loss of the epoch so far.
    case step(
        epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, imagesPerSecond: Double,
        secondsLeftInEpoch: Double)
    /// After each epoch's validation and checkpoint.
    case epoch(
        epoch: Int, epochs: Int, trainLoss: Float, validationLoss: Float, report: EvaluationReport, seconds: Double)
    /// When a run continues from a checkpoint.
    case resumed(fromEpoch: Int)
    /// Something the user should know that does not stop the run (e.g. a resumed run that will
    /// round differently from the interrupted one).
    case warning(String)
}
