import Dispatch
import Glibc
import PluginHostCore
import PluginMetadata
import Synchronization

/// A plugin file the walk has opened and checked, waiting to be read and validated.
///
/// Reading a file's metadata (ELF read, JSON parse, strict validation) is most of a cold scan
/// and depends on nothing but the file, so the walker collects these in walk order and
/// inspects a batch on several threads at once (``DirectoryWalker/flushPending()``); every
/// decision that depends on order (duplicates, cache bookkeeping, the report's order) stays
/// on the walking thread, so the report is the same whatever the thread count.
struct PendingInspection: Sendable {
    /// Open, read-only; the walker closes it after the batch.
    var descriptor: Int32
    var path: String
    var identity: FileIdentity
    /// The directory holding the file as the permission check saw it (``ScannedPlugin/directory``).
    var directory: FileIdentity?
    var sidecar: ContentStamp?
    /// Whether the directory listing holds a `<file>.plugin.json`.
    var sidecarListed: Bool
    /// Whether the file is a standalone manifest rather than a library.
    var isStandaloneManifest = false
    /// The scan's own problems for the file (permissions), placed before the inspector's.
    var found: [Problem]
    /// Where the result goes in the walker's `plugins`.
    var slot = 0

    func inspect(mode: ValidationMode) -> PluginInspection {
        if isStandaloneManifest {
            return PluginInspector.inspectStandalone(path: path, fileDescriptor: descriptor, mode: mode)
        }
        return PluginInspector.inspect(path: path, fileDescriptor: descriptor, fileSize: Int(identity.size), mode: mode,
                                sidecarExists: sidecarListed ? nil : false)
    }
}

/// Runs inspections on up to `threads` threads and returns the results in input order.
enum ParallelInspection {
    /// Fewer jobs than this are inspected on the calling thread: waking workers costs more.
    static let minimumJobsPerThread = 4

    /// The thread count `requested` resolves to: 0 means one per online processor, at most 4.
    static func threadCount(requested: Int) -> Int {
        if requested > 0 { return requested }
        return max(1, min(4, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    static func run(_ jobs: [PendingInspection], mode: ValidationMode, threads: Int) -> [PluginInspection] {
        let workers = min(threads, jobs.count / minimumJobsPerThread)
        guard workers > 1 else { return jobs.map { $0.inspect(mode: mode) } }
        return [PluginInspection](unsafeUninitializedCapacity: jobs.count) { buffer, initialized in
            let slots = ResultSlots(base: buffer.baseAddress!)
            let next = JobCounter()
            // Each worker claims job indices from the shared counter, so a slow file (or a busy
            // core) does not hold up the others.
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = next.claim()
                    guard index < jobs.count else { return }
                    slots.initialize(index, with: jobs[index].inspect(mode: mode))
                }
            }
            // concurrentPerform returns after every iteration finished: all slots are set.
            initialized = jobs.count
        }
    }
}

/// The next job index, shared by the inspection workers.
private final class JobCounter: Sendable {
    private let next = Atomic<Int>(0)

    func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// The results buffer shared by the inspection workers.
///
/// `@unchecked Sendable` is safe here because each index is written exactly once, by the one
/// worker that claimed it from an atomic counter, and the buffer is read only after
/// `DispatchQueue.concurrentPerform` has returned, which happens after every worker's writes.
private struct ResultSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<PluginInspection>

    func initialize(_ index: Int, with value: PluginInspection) {
        (base + index).initialize(to: value)
    }
}
