import Foundation

/// Runs `body(index)` on `threads` real threads at once and waits for all of them, so tests
/// contend for locks for real (and ThreadSanitizer sees the interleavings).
func runOnThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for index in 0..<threads {
        done.enter()
        let thread = Thread {
            body(index)
            done.leave()
        }
        thread.start()
    }
    done.wait()
}
