import Foundation
import PluginHostCore
import PluginWorkflow

/// The live "3/6 done · 2 running" line of `run`, on stderr, only when stderr is a terminal.
///
/// The runner calls ``update(_:)`` under its scheduler lock after every node, so an update
/// must be cheap: it redraws at most every 100 ms (and always for the last node), with one
/// write(2). ``finish()`` erases the line so the table or JSON that follows starts clean.
final class ProgressLine: Sendable {
    private struct State {
        var lastDrawNanoseconds: UInt64 = 0
        var drawn = false
    }

    private static let intervalNanoseconds: UInt64 = 100_000_000
    private let state = Locked(State())

    /// A progress line when stderr is a terminal, else nil (pipes and logs get no `\r` noise).
    static func forTerminal() -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    func update(_ progress: RunProgress) {
        let now = DispatchTime.now().uptimeNanoseconds
        let draw = state.withLock { state -> Bool in
            guard progress.done == progress.total || now &- state.lastDrawNanoseconds >= Self.intervalNanoseconds else { return false }
            state.lastDrawNanoseconds = now
            state.drawn = true
            return true
        }
        guard draw else { return }
        var text = "\r\u{1B}[K\(progress.done)/\(progress.total) done · \(progress.running) running"
        if progress.failed > 0 { text += " · \(progress.failed) failed" }
        Self.write(text)
    }

    /// Erases the line if anything was drawn.
    func finish() {
        if state.withLock({ $0.drawn }) { Self.write("\r\u{1B}[K") }
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
