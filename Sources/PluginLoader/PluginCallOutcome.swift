import PluginSDK

/// What one `execute` produced, copied out of the plugin before the call returned.
///
/// A non-zero status is a result, not a thrown error (as with a process exit status): the
/// runtime maps it to an error class, validates ``output`` as JSON and decides about retries.
public struct PluginCallOutcome: Sendable, Hashable {
    /// The `ph_status` the plugin returned (or `PH_ERR_INTERNAL` when the host refused to call
    /// it, e.g. before `initialize` or after `shutdown`; ``errorMessage`` then says why).
    public var status: Int32
    /// The bytes given to `set_output`; the last call wins. Not checked to be JSON here.
    public var output: [UInt8]?
    /// The length of the last `set_output` when it exceeded the request's
    /// `maximumOutputBytes`: those bytes were not copied and ``output`` is nil.
    public var refusedOutputBytes: Int?
    /// The last `set_output` handed over exactly the bytes the caller passed as
    /// `expectedOutput`: they were not copied and ``output`` is nil.
    public var outputIsExpected = false
    /// The code given to `set_error`.
    public var errorCode: Int32?
    /// The message given to `set_error`, decoded as UTF-8 with invalid bytes replaced.
    public var errorMessage: String?
    /// Lines written with `call->log`, at most ``maximumLogLines`` plus one marker line that
    /// counts the lines dropped, so a chatty plugin cannot grow a result without bound.
    public var logs: [PluginLogLine]

    /// The number of `call->log` lines kept per call.
    public static let maximumLogLines = 100

    public init(
        status: Int32, output: [UInt8]? = nil, errorCode: Int32? = nil, errorMessage: String? = nil,
        logs: [PluginLogLine] = []
    ) {
        self.status = status
        self.output = output
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.logs = logs
    }

    /// The status a failed call is reported with: the code the plugin gave `set_error` when it
    /// is one a plugin may report (`PH_ERR_INVALID_PARAMETERS` … `PH_ERR_CANCELLED`), else the
    /// status `execute` returned. The returned status alone decides success; `set_error`'s code
    /// decides which error (plugin.h), so a plugin whose helper returns a generic failure still
    /// gets a transient error retried. Host-side codes (`PH_ERR_NOT_FOUND` and later) and
    /// `PH_OK` given to `set_error` are ignored.
    public var failureStatus: Int32 {
        if let errorCode, errorCode >= PH_ERR_INVALID_PARAMETERS, errorCode <= PH_ERR_CANCELLED { return errorCode }
        return status
    }

    /// An outcome for a call the host refused to make, so callers see one shape for every result.
    static func refused(_ message: String) -> PluginCallOutcome {
        PluginCallOutcome(status: PH_ERR_INTERNAL, errorCode: PH_ERR_INTERNAL, errorMessage: message)
    }
}

/// One line a plugin logged during a call.
public struct PluginLogLine: Sendable, Hashable {
    public var level: PluginLogLevel
    public var message: String

    public init(level: PluginLogLevel, message: String) {
        self.level = level
        self.message = message
    }
}

/// The `PH_LOG_*` levels. Values outside the documented range are clamped (below debug is
/// debug, above error is error) so a plugin's mistake never hides its message.
public enum PluginLogLevel: Int32, Sendable, Hashable, CaseIterable {
    case debug = 0
    case info = 1
    case warning = 2
    case error = 3

    /// The level for a raw `PH_LOG_*` value, clamped.
    public init(clamping raw: Int32) {
        self = PluginLogLevel(rawValue: min(max(raw, 0), 3))!
    }
}
