import PluginHostCore
import PluginSDK

extension ProblemCode {
    /// The result code for a non-zero `ph_status` a plugin returned.
    ///
    /// The host routes errors from these codes (retry, fallback, …), so plugins never emit
    /// routing themselves. An unknown status is an execution error: the status list is
    /// append-only, and a plugin built for a newer minor ABI may return codes this host does
    /// not know.
    public init(pluginStatus status: Int32) {
        switch status {
        case PH_ERR_INVALID_PARAMETERS: self = .invalidParameters
        case PH_ERR_TRANSIENT: self = .transientError
        case PH_ERR_TIMEOUT: self = .executionTimeout
        case PH_ERR_CREDENTIAL_MISSING: self = .credentialMissing
        case PH_ERR_UNSUPPORTED: self = .unsupported
        case PH_ERR_CANCELLED: self = .cancelled
        default: self = .executionError
        }
    }
}
