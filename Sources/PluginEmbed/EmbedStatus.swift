import PluginHostCore
import PluginSDK

extension ProblemCode {
    /// The `ph_status` an embed.h function returns for a problem with this code.
    ///
    /// The table is the one embed.h documents, so a caller can branch on the status alone and
    /// read the code only for detail. Codes not listed are execution errors: new codes may be
    /// added, and a caller must already treat an unknown failure as one.
    var embedStatus: ph_status {
        switch self {
        case .nodeTypeNotFound, .tenantUnknown: PH_ERR_NOT_FOUND
        case .validationFailed, .invalidParameters: PH_ERR_INVALID_PARAMETERS
        case .nodeTypeDisabledForTenant, .tenantViolation, .auditFailed: PH_ERR_POLICY
        case .invalidArgument, .policyInvalid, .policyTooLarge, .workflowTooLarge, .jsonTooDeep: PH_ERR_INVALID_ARGUMENT
        case .executionTimeout: PH_ERR_TIMEOUT
        case .transientError: PH_ERR_TRANSIENT
        case .credentialMissing: PH_ERR_CREDENTIAL_MISSING
        case .unsupported: PH_ERR_UNSUPPORTED
        case .cancelled: PH_ERR_CANCELLED
        default: PH_ERR_EXECUTION
        }
    }
}

extension Problem {
    /// The embed.h error document: `{"code", "message"}` plus `"node"` / `"file"` when known.
    var errorDocument: JSONValue {
        var object: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let node { object["node"] = .string(node) }
        if let file { object["file"] = .string(file) }
        return .object(object)
    }
}
