import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints plot`: compares evaluations saved by `keypoints evaluate --errors`.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw evaluations saved by `keypoints evaluate --errors`: their cumulative error curves in one plot, and each point's error on the mean face.")

    @Argument(help: "Error files written by keypoints evaluate --errors.") var files: [String]
    @Option(help: "Write the cumulative error curves of all files to this PNG.") var curve: String?
    @Option(name: .customLong("per-point"), help: "Write each point's error on the mean face, one panel per file (one colour scale), to this PNG.")
    var perPoint: String?
    @Option(help: "The failure and AUC threshold in NME units.") var threshold: Float = 0.08

    func validate() throws {
        guard !files.isEmpty else { throw CommandError("give at least one error file (keypoints evaluate --errors FILE)") }
        guard curve != nil || perPoint != nil else { throw CommandError("give --curve PNG, --per-point PNG or both") }
        guard threshold > 0 else { throw CommandError("--threshold must be positive, got \(threshold)") }
    }

    func run() throws {
        let summaries = try files.map { try ErrorSummary(contentsOf: try existingFile($0, option: "error file")) }
        if let curve {
            try TrainingReports.cumulativeErrorPlot(summaries, threshold: threshold).write(to: URL(fileURLWithPath: curve))
        }
        if let perPoint {
            // One colour scale for all panels, so they compare.
            let largest = summaries.flatMap(\.points).filter(\.isFinite).max()
            let panels = summaries.map { TrainingReports.perPointErrorPlot($0, largest: largest) }
            try Image.grid(panels, columns: Swift.min(panels.count, 2), margin: 6).write(to: URL(fileURLWithPath: perPoint))
        }
    }
}
