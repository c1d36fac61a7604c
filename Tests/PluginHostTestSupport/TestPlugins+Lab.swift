import Foundation
import PluginHostCore
import Synchronization

/// One test's plugin directory, marker file and counter slot.
///
/// Each lab has its own slot in the shared counter and its own marker file, so tests running
/// in parallel in one process never see each other's inits (a hung init stays "entered" in its
/// slot for the life of the process).
public final class TestPluginLab: Sendable {
    /// Where ``install(_:as:)`` puts plugins: scan this directory.
    public let directory: TemporaryDirectory
    /// The file every init configured by ``configuration(_:)`` appends its id to.
    public let markerPath: String
    public let slot: Int32
    private let counter: ConcurrencyCounter

    private static let nextSlot = Atomic<Int32>(0)

    public init() throws {
        slot = Self.nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue
        guard slot < TestPlugins.slotCount else {
            throw TestSupportError("more than \(TestPlugins.slotCount) test plugin labs in one process; raise SLOTS")
        }
        directory = try TemporaryDirectory(prefix: "init-lab")
        markerPath = directory.path + "/.init-order.log"
        counter = try ConcurrencyCounter.shared()
    }

    /// Installs the plugin for `spec` as `name` (default `lib<id>.so`) and returns its path.
    @discardableResult
    public func install(_ spec: TestPluginSpec, as name: String? = nil) throws -> String {
        try TestPlugins.install(spec, as: name ?? "lib\(spec.id).so", in: directory)
    }

    /// A configuration for one plugin: `settings` (`delayMs`, `hang`, `fail`) plus this lab's
    /// marker and counter slot.
    public func configuration(_ settings: JSONObject = [:]) -> JSONValue {
        var object = settings
        object["marker"] = .string(markerPath)
        object["counterSlot"] = .int(Int64(slot))
        return .object(object)
    }

    /// Configurations for `ids`, each with `settings[id]` (or none).
    public func configurations(_ ids: [String], settings: [String: JSONObject] = [:]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for id in ids { result[id] = configuration(settings[id] ?? [:]) }
        return result
    }

    /// The most inits of this lab that overlapped since the last ``resetCounter()``.
    public var peak: Int { counter.peak(slot) }
    /// Inits of this lab running now (a hung one counts forever).
    public var current: Int { counter.current(slot) }
    /// Inits of this lab that started since the last ``resetCounter()``.
    public var calls: Int { counter.calls(slot) }
    public func resetCounter() { counter.reset(slot) }

    /// The ids of the inits that started, in the order they started.
    public func initOrder() -> [String] {
        guard let text = try? String(contentsOfFile: markerPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}

/// `libphcounter.so`'s functions, reached from Swift with dlopen + dlsym.
///
/// The library is the very one the plugins link against (same soname, opened from the same
/// directory), so Swift reads the counters the plugins write.
public final class ConcurrencyCounter: Sendable {
    private typealias Query = @convention(c) (Int32) -> Int32
    private typealias Action = @convention(c) (Int32) -> Void

    // C function pointers into a library that is never unloaded; calling them is thread-safe
    // (the counters are C atomics), and the pointers themselves never change.
    nonisolated(unsafe) private let currentFunction: Query
    nonisolated(unsafe) private let peakFunction: Query
    nonisolated(unsafe) private let callsFunction: Query
    nonisolated(unsafe) private let resetFunction: Action

    private static let instance = Locked<ConcurrencyCounter?>(nil)

    /// The process-wide counter, opening `libphcounter.so` (building it first) on first use.
    public static func shared() throws -> ConcurrencyCounter {
        try instance.withLock { instance in
            if let instance { return instance }
            let path = try TestPlugins.counterDirectory() + "/libphcounter.so"
            guard let handle = dlopen(path, RTLD_NOW) else {
                throw TestSupportError("dlopen \(path) failed: \(String(cString: dlerror()))")
            }
            func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
                guard let address = dlsym(handle, name) else { throw TestSupportError("\(path) lacks \(name)") }
                return address
            }
            let counter = ConcurrencyCounter(
                current: unsafeBitCast(try symbol("ph_counter_current"), to: Query.self),
                peak: unsafeBitCast(try symbol("ph_counter_peak"), to: Query.self),
                calls: unsafeBitCast(try symbol("ph_counter_calls"), to: Query.self),
                reset: unsafeBitCast(try symbol("ph_counter_reset"), to: Action.self))
            instance = counter
            return counter
        }
    }

    private init(current: Query, peak: Query, calls: Query, reset: Action) {
        currentFunction = current
        peakFunction = peak
        callsFunction = calls
        resetFunction = reset
    }

    public func current(_ slot: Int32) -> Int { Int(currentFunction(slot)) }
    public func peak(_ slot: Int32) -> Int { Int(peakFunction(slot)) }
    public func calls(_ slot: Int32) -> Int { Int(callsFunction(slot)) }
    public func reset(_ slot: Int32) { resetFunction(slot) }
}
