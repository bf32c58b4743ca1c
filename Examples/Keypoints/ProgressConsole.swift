import FaceKeypoints
import Foundation

/// Shows training progress: a bar per epoch on a terminal (loss, images/s, ETA), and one line
/// per finished epoch everywhere.
final class ProgressConsole {
    private let isTerminal = isatty(STDERR_FILENO) != 0

    func show(_ progress: TrainingProgress) {
        switch progress {
        case .step(let epoch, let epochs, let batch, let batches, let loss, let imagesPerSecond, let secondsLeft):
            guard isTerminal else { return }
            let width = 24, filled = width * batch / Swift.max(batches, 1)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "\repoch %d/%d [%@] %d/%d loss %.5f %.0f img/s ETA %@ ",
                        epoch, epochs, bar, batch, batches, loss, imagesPerSecond,
                        Self.clock(secondsLeft)
                    ).utf8))
        case .epoch(let epoch, let epochs, let trainLoss, let validationLoss, let report, let seconds):
            if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print(
                String(
                    format: "epoch %3d/%d  train loss %.5f  val loss %.5f  val error %7.2f px  NME %.4f  %6.1f s",
                    epoch, epochs, trainLoss, validationLoss, report.meanErrorPx, report.nme, seconds))
            fflush(nil)  // show each epoch at once when the output is a file or a pipe
        case .resumed(let epoch):
            print("resuming after epoch \(epoch) from checkpoint.safetensors")
        case .warning(let message):
            FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
        }
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }
}
