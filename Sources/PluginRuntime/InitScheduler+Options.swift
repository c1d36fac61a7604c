import PluginHostCore

/// How an ``InitScheduler`` run initializes plugins (by default at most 5 at a time, 5 s each).
public struct InitOptions: Sendable {
    /// At most this many plugins load and initialize at once (values below 1 count as 1).
    public var concurrency: Int
    /// How long one plugin's load plus `init` may take before it is abandoned and quarantined.
    public var timeout: Duration
    /// Plugin id → the configuration object passed to its `init`; `{}` for plugins not listed.
    public var configurations: [String: JSONValue]

    /// The configuration plugin `id`'s `init` gets: its entry, else `{}`. The one place that
    /// default is decided, so the in-process init, the probe and the quarantine's configuration
    /// key all see the same value.
    public func configuration(for id: String) -> JSONValue {
        configurations[id] ?? .object([:])
    }

    public init(concurrency: Int = 5, timeout: Duration = .seconds(5), configurations: [String: JSONValue] = [:]) {
        self.concurrency = concurrency
        self.timeout = timeout
        self.configurations = configurations
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds, for reports and messages.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// `5 s`, `500 ms`, `1.5 s`: how a person would say the timeout.
    var spoken: String {
        let ms = milliseconds
        if ms >= 1000 {
            let seconds = ms / 1000
            return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        }
        return ms == ms.rounded() ? "\(Int(ms)) ms" : "\(ms) ms"
    }
}
