/// Everything one `execute` passes to a plugin, prepared ahead of the call.
///
/// Each text field is already NUL-terminated so the call builds its `ph_call` on the stack
/// from borrowed pointers and allocates nothing for them. A caller that runs the same node
/// repeatedly keeps one request (or its fields) and changes only what differs, such as
/// ``attempt``.
public struct PluginCallRequest: Sendable {
    /// The node type being executed, e.g. `math.add`.
    public var nodeType: NulTerminatedUTF8
    /// The node's parameters: a JSON object, already validated against the node's schema.
    public var params: NulTerminatedUTF8
    /// The node's input items: a JSON array, `[]` when there are none.
    public var input: NulTerminatedUTF8
    /// The tenant the call runs for; empty in single-tenant mode.
    public var tenantID: NulTerminatedUTF8
    /// Unique id of this execution, shared by its retries.
    public var executionID: NulTerminatedUTF8
    /// 1 for the first attempt, 2 for the first retry, and so on.
    public var attempt: UInt32
    /// The largest output `set_output` may hand over; a larger one is not copied (see
    /// ``PluginCallOutcome/refusedOutputBytes``), so a runaway plugin cannot balloon the host.
    public var maximumOutputBytes: Int

    public init(
        nodeType: NulTerminatedUTF8,
        params: NulTerminatedUTF8,
        input: NulTerminatedUTF8 = .emptyArray,
        tenantID: NulTerminatedUTF8 = .empty,
        executionID: NulTerminatedUTF8 = .empty,
        attempt: UInt32 = 1,
        maximumOutputBytes: Int = .max
    ) {
        self.nodeType = nodeType
        self.params = params
        self.input = input
        self.tenantID = tenantID
        self.executionID = executionID
        self.attempt = attempt
        self.maximumOutputBytes = maximumOutputBytes
    }
}
