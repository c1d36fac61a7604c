import Dispatch
import Foundation
import PluginLoader
import Synchronization

/// Ctrl-C (SIGINT) while a run is going: the first one cancels the run through its flag (the
/// running nodes see `is_cancelled`, the others are not started, and the command prints the
/// run's result), a second one exits at once with status 130, as an interrupted command does.
final class Interrupt: Sendable {
    /// Dispatch sources are thread-safe (resume and cancel from any thread); the reference
    /// never changes after `init`.
    private nonisolated(unsafe) let source: any DispatchSourceSignal
    private let count = Atomic<Int>(0)

    private init(_ cancellation: CancellationFlag) {
        signal(SIGINT, SIG_IGN)   // the dispatch source receives it instead of the default exit
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if count.wrappingAdd(1, ordering: .relaxed).newValue > 1 {
                Terminal.error("interrupted again: exiting without waiting for the run.")
                exit(130)
            }
            Terminal.error("interrupted: cancelling the run (Ctrl-C again to exit at once)…")
            cancellation.cancel()
        }
        source.resume()
    }

    /// Watches SIGINT until ``stop()``, cancelling `cancellation` on the first.
    static func cancelling(_ cancellation: CancellationFlag) -> Interrupt { Interrupt(cancellation) }

    /// Whether a SIGINT arrived.
    var fired: Bool { count.load(ordering: .relaxed) > 0 }

    /// Stops watching; SIGINT exits the process again.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
