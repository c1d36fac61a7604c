import PluginHostCore

/// One node failure as the error metrics keep it: enough to see what failed, where and when,
/// without holding the node's input or output.
public struct ErrorRecord: Sendable, Hashable {
    /// Seconds since the Unix epoch.
    public var time: Double
    public var nodeType: String
    /// The tenant the call ran for; nil when the host runs without tenants.
    public var tenant: String?
    public var code: ProblemCode
    /// The error sentence, cut to ``ErrorMetrics/maximumMessageBytes`` when kept.
    public var message: String
    /// The attempt that failed, 1 for the first.
    public var attempt: Int

    public init(time: Double, nodeType: String, tenant: String?, code: ProblemCode, message: String, attempt: Int) {
        self.time = time
        self.nodeType = nodeType
        self.tenant = tenant
        self.code = code
        self.message = message
        self.attempt = attempt
    }

    public func json() -> JSONValue {
        [
            "time": .string(WallClock.iso8601(time)),
            "nodeType": .string(nodeType),
            "tenant": tenant.map(JSONValue.string) ?? .null,
            "code": .string(code.rawValue),
            "message": .string(message),
            "attempt": .int(Int64(attempt)),
        ]
    }
}
