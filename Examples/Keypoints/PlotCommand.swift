import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints plot`: compares evaluations saved by `keypoints evaluate --errors`.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract:
            "Compare evaluations saved by `keypoints evaluate --errors`: print each NME and its difference from the first file's on the same faces; draw the cumulative error curves in one plot, and each point's error on the mean face."
    )

    @Argument(help: "Error files written by keypoints evaluate --errors.") var files: [String]
    @Option(help: "Write the cumulative error curves of all files to this PNG.") var curve: String?
    @Option(
        name: .customLong("per-point"),
        help: "Write each point's error on the mean face, one panel per file (one colour scale), to this PNG.")
    var perPoint: String?
    @Option(help: "The failure and AUC threshold in NME units.") var threshold: Float = 0.08

    func validate() throws {
        guard !files.isEmpty else {
            throw CommandError("give at least one error file (keypoints evaluate --errors FILE)")
        }
        guard threshold > 0 else { throw CommandError("--threshold must be positive, got \(threshold)") }
    }

    func run() throws {
        let summaries = try files.map { try ErrorSummary(contentsOf: try existingFile($0, option: "error file")) }
        for (index, (file, summary)) in zip(files, summaries).enumerated() {
            let (nme, standardError) = summary.nme
            var line =
                String(format: "%@ (%@): NME %.4f", file, summary.label, nme)
                + (standardError.map { String(format: " ± %.4f", $0) } ?? "")
            if index > 0 {
                line +=
                    summary.difference(from: summaries[0]).map {
                        String(
                            format: "; minus the first file's on the same %d faces: %+.4f ± %.4f", $0.faces, $0.mean,
                            $0.standardError)
                    }
                    ?? "; no faces to pair with the first file's (files written before identities were kept, or other faces)"
            }
            print(line)
        }
        if let curve {
            try TrainingReports.cumulativeErrorPlot(summaries, threshold: threshold).write(
                to: URL(fileURLWithPath: curve))
        }
        if let perPoint {
            // One colour scale for all panels, so they compare.
            let largest = summaries.flatMap(\.points).filter(\.isFinite).max()
            let panels = summaries.map { TrainingReports.perPointErrorPlot($0, largest: largest) }
            try Image.grid(panels, columns: Swift.min(panels.count, 2), margin: 6).write(
                to: URL(fileURLWithPath: perPoint))
        }
    }
}
