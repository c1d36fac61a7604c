import PluginHostCore
import Synchronization

/// The circuit breakers of one host, one per node type, created on first use.
///
/// Breakers are per node type (not per workflow node) because a type's health is shared: when
/// `http.get` keeps timing out, every workflow calling it should fail fast. Ask only for node
/// types that resolved in the registry, so the table stays as small as the set of node types.
public final class CircuitBreakers: Sendable {
    public let configuration: CircuitBreaker.Configuration
    private let clock: any HostClock
    private let breakers = Locked<[String: CircuitBreaker]>([:])

    public init(configuration: CircuitBreaker.Configuration = CircuitBreaker.Configuration(), clock: any HostClock = MonotonicClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The breaker for `nodeType`, created closed on first use. Callers may keep it to skip the
    /// table lookup on later calls.
    public func breaker(for nodeType: String) -> CircuitBreaker {
        breakers.withLock { table in
            if let breaker = table[nodeType] { return breaker }
            let breaker = CircuitBreaker(nodeType: nodeType, configuration: configuration, clock: clock)
            table[nodeType] = breaker
            return breaker
        }
    }

    /// Leave to call `nodeType` once, or nil when its circuit is open (fail fast with `CIRCUIT_OPEN`).
    public func acquire(nodeType: String) -> CircuitPermit? {
        breaker(for: nodeType).acquire()
    }

    /// Every breaker's state, sorted by node type.
    public func snapshot() -> [CircuitBreakerSnapshot] {
        let all = breakers.withLock { Array($0.values) }
        return all.map { $0.snapshot() }.sorted { $0.nodeType < $1.nodeType }
    }

    /// `{"failureThreshold": 5, "coolDownMs": 30000, "breakers": [ … ]}` for the CLI's stats.
    public func json() -> JSONValue {
        [
            "failureThreshold": .int(Int64(max(1, configuration.failureThreshold))),
            "coolDownMs": .double(configuration.coolDownMs),
            "breakers": .array(snapshot().map { $0.json() }),
        ]
    }
}
