import Foundation
import Tensor

extension KeypointTask {
    /// One line saying what `trainer` is about to train: the network, the faces, the recipe's
    /// settings, the threads and ranks, and the output folder.
    ///
    /// ```
    /// nose: NoseNet, 192 training and 48 validation images, 25 epochs, batch 4, lr 0.001 (constant), loss mse, 2 threads -> runs/nose
    /// ```
    public func settingsSummary(of trainer: KeypointTrainer) -> String {
        let configuration = trainer.configuration, ranks = trainer.group.size
        let loss =
            if case .pipNet = trainer.spec.head.kind {
                "PIPNet's (scores \(configuration.resolvedScoreLoss) + offsets L1)"
            } else {
                configuration.loss.rawValue
            }
        return "\(name): \(trainer.spec.architecture.rawValue), "
            + "\(trainer.training.count) training and \(trainer.validation.count) validation images, "
            + "\(configuration.epochs) epochs, batch \(configuration.batchSize), "
            + "lr \(configuration.learningRate) (\(configuration.schedule.rawValue)), loss \(loss)"
            + (configuration.movingAverageDecay.map { ", weights averaged (decay \($0))" } ?? "")
            + (configuration.poseBalance.map { ", poses balanced (strength \($0))" } ?? "")
            + (configuration.plainFinalEpochs.map { ", the last \($0) epochs plain (mirror only)" } ?? "")
            + ", \(ComputeThreads.count) threads"
            + (ranks > 1
                ? " x \(ranks) ranks (global batch \(configuration.batchSize * ranks)"
                    + (trainer.synchronizedBatchNorm ? ", synchronized BatchNorm)" : ")") : "")
            + " -> \(trainer.output.path)"
    }

    /// The lines that end a finished run on rank 0 (none on the other ranks): what the point
    /// offsets did to the validation NME when training measured them, the validation figures
    /// with the total time, and the files written.
    ///
    /// ```
    /// validation: mean error 18.29 px, NME 0.0286 ± 0.0047 (crop-width), failure rate@0.08 0.083, AUC@0.08 0.692; total 5.1 s
    /// wrote model.safetensors, checkpoint.safetensors, metrics.json, loss.png, samples.png, predictions.png, filters.png to runs/nose
    /// ```
    public func resultSummary(of history: TrainingHistory, trainer: KeypointTrainer) throws -> [String] {
        guard let report = history.validation else { return [] }
        var lines: [String] = []
        // Not when the offsets were refused (a warning said why).
        if case .faceBox = spec.crop, let uncalibrated = history.validationNME.last,
            try KeypointModelFile.spec(of: trainer.modelURL).spec.pointOffsets != nil
        {
            lines.append(
                String(
                    format: "point offsets measured on the %d training faces: validation NME %.4f -> %.4f",
                    trainer.training.count, uncalibrated, report.nme))
        }
        lines.append(
            String(
                format:
                    "validation: mean error %.2f px, NME %.4f%@ (%@), failure rate@%.2f %.3f, AUC@%.2f %.3f; total %.1f s",
                report.meanErrorPx, report.nme, report.nmeStandardError.map { String(format: " ± %.4f", $0) } ?? "",
                report.normalization, report.threshold, report.failureRate, report.threshold, report.auc,
                history.epochSeconds.reduce(0, +)))
        lines.append("wrote \(outputFiles(of: trainer).joined(separator: ", ")) to \(trainer.output.path)")
        return lines
    }
}
