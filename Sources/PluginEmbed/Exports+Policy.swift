#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginRuntime
import PluginSDK
import PluginTenancy

// embed.h: tenant policies and statistics.

@c @implementation
public func ph_host_set_policy(
    _ host: OpaquePointer?, _ policyJSON: UnsafePointer<CChar>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        guard let policyJSON else {
            handle.setPolicy(nil)
            return PH_OK
        }
        let limits = handle.host.configuration.limits
        let byteCount = strlen(policyJSON)
        guard byteCount <= limits.maximumPolicyBytes else {
            throw Problem(.policyTooLarge, .error, InputLimits.exceeded(
                "policy_json", has: byteCount, "bytes", limit: limits.maximumPolicyBytes, field: "maximumPolicyBytes", advice: "shorten it"))
        }
        let document = try CText.json(policyJSON, argument: "policy_json", expected: "object", limits: limits)
        // Parsed completely before anything changes: a rejected policy leaves the old in force.
        handle.setPolicy(try EmbedOptions.policy(document, limits: limits))
        return PH_OK
    }
}

@c @implementation
public func ph_host_stats(
    _ host: OpaquePointer?, _ outStats: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let stats = OutParameter(outStats), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let pluginHost = handle.host
        stats.set(pluginHost.statistics())
        return PH_OK
    }
}
