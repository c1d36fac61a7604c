import PluginHostCore
import PluginRuntime
import Synchronization

/// One attempt of one node on the timeline: when it ran (monotonic), in which lane, and how it ended.
public struct TraceEvent: Sendable, Hashable {
    public var nodeName: String
    public var nodeType: String
    /// 1 for the first attempt; 0 for a node that ended without reaching the plugin.
    public var attempt: Int
    /// The worker lane (0-based); lanes never hold two events at once.
    public var lane: Int
    /// `CLOCK_MONOTONIC` nanoseconds (``WallClock/monotonicNanoseconds()``).
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    public var status: NodeStatus
    public var errorCode: ProblemCode?

    public init(
        nodeName: String, nodeType: String, attempt: Int, lane: Int, startNanoseconds: UInt64, endNanoseconds: UInt64,
        status: NodeStatus, errorCode: ProblemCode?
    ) {
        self.nodeName = nodeName
        self.nodeType = nodeType
        self.attempt = attempt
        self.lane = lane
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.status = status
        self.errorCode = errorCode
    }
}

/// Collects every attempt of every node of a run and writes them as a Chrome trace.
///
/// A run's parallelism, retries and stragglers are hard to see in a table and obvious on a
/// timeline, so `run --trace FILE` writes one that Perfetto and chrome://tracing open: one
/// "X" (complete) event per attempt, lane by lane. Recording is thread-safe; the runner
/// records from every worker.
public final class TraceRecorder: Sendable {
    /// The timeline's zero: when the recorder was made (events before it are clamped to 0).
    public let originNanoseconds: UInt64
    /// Shown as the process name in the viewer.
    public let title: String
    private let recorded = Locked<[TraceEvent]>([])
    /// Names of lanes that are not "worker n" (a rollback's lanes).
    private let laneNames = Locked<[Int: String]>([:])

    public init(title: String = "plugin-host workflow") {
        self.title = title
        self.originNanoseconds = WallClock.monotonicNanoseconds()
    }

    public func record(_ event: TraceEvent) {
        recorded.withLock { $0.append(event) }
    }

    /// Shows lane `lane` (0-based) as `name` instead of "worker n".
    public func name(lane: Int, _ name: String) {
        laneNames.withLock { $0[lane] = name }
    }

    /// Every event recorded so far, in recording order.
    public var events: [TraceEvent] { recorded.withLock { $0 } }

    /// The Chrome trace-event JSON object format: `{"traceEvents": […], "displayTimeUnit": "ms"}`.
    ///
    /// Metadata events (`ph: "M"`) name the process (pid 1) and each lane ("worker 1" is lane
    /// 0, tid 1) and keep lanes in order; then one `ph: "X"` event per attempt, sorted by
    /// start, with `ts` and `dur` in microseconds since the recorder was made, `cat` the node
    /// type, and `args` holding `status`, `errorCode` (null on success) and `attempt`.
    public func chromeTraceJSON() -> JSONValue {
        let events = self.events.sorted {
            ($0.startNanoseconds, $0.lane, $0.nodeName, $0.attempt) < ($1.startNanoseconds, $1.lane, $1.nodeName, $1.attempt)
        }
        var output: [JSONValue] = [
            ["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": .string(title)]],
        ]
        let laneCount = (events.map(\.lane).max() ?? -1) + 1
        let names = laneNames.withLock { $0 }
        for lane in 0..<laneCount {
            let tid = JSONValue.int(Int64(lane + 1))
            let name = names[lane] ?? "worker \(lane + 1)"
            output.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": ["name": .string(name)]])
            output.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid, "args": ["sort_index": tid]])
        }
        for event in events {
            let start = event.startNanoseconds > originNanoseconds ? event.startNanoseconds - originNanoseconds : 0
            let duration = event.endNanoseconds > event.startNanoseconds ? event.endNanoseconds - event.startNanoseconds : 0
            output.append([
                "name": .string(event.nodeName),
                "cat": .string(event.nodeType),
                "ph": "X",
                "ts": .double(Double(start) / 1000),
                "dur": .double(Double(duration) / 1000),
                "pid": 1,
                "tid": .int(Int64(event.lane + 1)),
                "args": [
                    "status": .string(event.status.rawValue),
                    "errorCode": event.errorCode.map { .string($0.rawValue) } ?? .null,
                    "attempt": .int(Int64(event.attempt)),
                ],
            ])
        }
        return ["traceEvents": .array(output), "displayTimeUnit": "ms"]
    }
}
