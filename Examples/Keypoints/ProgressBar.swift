import Foundation

/// A bar over items (photos) on standard error, drawn only on a terminal and cleared when done.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()

    init(label: String) { self.label = label }

    func show(_ done: Int, _ total: Int) {
        guard isTerminal, total > 0 else { return }
        let width = 24, filled = width * done / total
        let elapsed = Date().timeIntervalSince(start),
            left = done > 0 ? elapsed / Double(done) * Double(total - done) : .infinity
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line =
            done == total ? "\r\u{1B}[K" : "\r\(label) [\(bar)] \(done)/\(total) ETA \(ProgressConsole.clock(left)) "
        FileHandle.standardError.write(Data(line.utf8))
    }
}
