import Foundation
import PluginHostCore
import PluginRuntime
import PluginWorkflow

/// The live "3/6 done · 2 running" line of `run`, on stderr, only when stderr is a terminal.
///
/// Fed by the run's events (``RunEvent``), called from every lane as nodes start and finish,
/// so an update must be cheap: it counts under a lock and redraws at most every 100 ms (and
/// always for the last node), with one write(2). ``finish()`` erases the line so the table or
/// JSON that follows starts clean. Nodes the scheduler cancels without running them are not
/// events; the line is erased when the run ends anyway.
final class ProgressLine: Sendable {
    private struct State {
        var lastDrawNanoseconds: UInt64 = 0
        var drawn = false
        var started = 0
        var finished = 0
        var failed = 0
    }

    private static let intervalNanoseconds: UInt64 = 100_000_000
    private let state = Locked(State())
    private let total: Int

    private init(total: Int) { self.total = total }

    /// A progress line for a run of `total` nodes when stderr is a terminal, else nil (pipes
    /// and logs get no `\r` noise).
    static func forTerminal(total: Int) -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine(total: total) : nil
    }

    func record(_ event: RunEvent) {
        let now = DispatchTime.now().uptimeNanoseconds
        let drawn = state.withLock { state -> RunProgress? in
            switch event {
            case .nodeStarted: state.started += 1
            case .nodeFinished(_, _, let result):
                state.finished += 1
                if result.status == .error || result.status == .cancelled { state.failed += 1 }
            case .runFinished: return nil
            }
            guard state.finished == total || now &- state.lastDrawNanoseconds >= Self.intervalNanoseconds else { return nil }
            state.lastDrawNanoseconds = now
            state.drawn = true
            return RunProgress(done: state.finished, running: state.started - state.finished, total: total, failed: state.failed)
        }
        guard let progress = drawn else { return }
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
