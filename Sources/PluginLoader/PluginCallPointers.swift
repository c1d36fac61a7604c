/// One `execute`'s text fields as borrowed C strings: the zero-copy form of
/// ``PluginCallRequest`` for a caller that already holds every field in memory it owns for the
/// duration of the call (the runtime's call on the calling thread writes the execution id into a
/// stack buffer and borrows the rest from its registry entry and its admission).
///
/// Not `Sendable` and never stored: the pointers are valid only inside the caller's scope,
/// and ``LoadedPlugin/execute(_:expectedOutput:cancellation:)`` reads them only during the call.
public struct PluginCallPointers {
    /// The node type, NUL-terminated.
    public var nodeType: UnsafePointer<CChar>
    /// The validated parameters' JSON, NUL-terminated; `paramsLength` excludes the NUL.
    public var params: UnsafePointer<CChar>
    public var paramsLength: Int
    /// The input items' JSON array, NUL-terminated; `inputLength` excludes the NUL.
    public var input: UnsafePointer<CChar>
    public var inputLength: Int
    /// The tenant, NUL-terminated; empty in single-tenant mode.
    public var tenantID: UnsafePointer<CChar>
    /// The execution id, NUL-terminated.
    public var executionID: UnsafePointer<CChar>
    /// 1 for the first attempt.
    public var attempt: UInt32
    /// The largest output `set_output` may hand over (see ``PluginCallRequest/maximumOutputBytes``).
    public var maximumOutputBytes: Int

    public init(
        nodeType: UnsafePointer<CChar>, params: UnsafePointer<CChar>, paramsLength: Int, input: UnsafePointer<CChar>,
        inputLength: Int, tenantID: UnsafePointer<CChar>, executionID: UnsafePointer<CChar>, attempt: UInt32 = 1,
        maximumOutputBytes: Int = .max
    ) {
        self.nodeType = nodeType
        self.params = params
        self.paramsLength = paramsLength
        self.input = input
        self.inputLength = inputLength
        self.tenantID = tenantID
        self.executionID = executionID
        self.attempt = attempt
        self.maximumOutputBytes = maximumOutputBytes
    }
}
