import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginSDK

// embed.h: scanning, loading and listing plugins.

@c @implementation
public func ph_host_scan(
    _ host: OpaquePointer?, _ dirsJSON: UnsafePointer<CChar>?,
    _ outReport: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let report = OutParameter(outReport), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        var paths: [String]?
        if let dirsJSON {
            paths = try EmbedOptions.directories(
                CText.json(dirsJSON, argument: "dirs_json", expected: "array"), argument: "dirs_json")
        }
        let scan = handle.scan(paths: paths)
        report.set(scan.json())
        return PH_OK
    }
}

@c @implementation
public func ph_host_load(
    _ host: OpaquePointer?, _ outReport: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let report = OutParameter(outReport), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let pluginHost = handle.host
        let scan = pluginHost.report
        let initReport = BlockingWait.run { await pluginHost.load() }
        // The `plugin-host load --json` document: the init report plus the scan's summary.
        report.set({
            var json = initReport.json().objectValue ?? JSONObject()
            json["scan"] = scan.json()["summary"] ?? .null
            return .object(json)
        }())
        return PH_OK
    }
}

@c @implementation
public func ph_host_list(
    _ host: OpaquePointer?, _ outNodes: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let nodes = OutParameter(outNodes), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let registry = handle.host.registry
        nodes.set(.array(registry.list().map(\.listEntry)))
        return PH_OK
    }
}

extension RegisteredNode {
    /// One `ph_host_list` entry (embed.h names the keys).
    var listEntry: JSONValue {
        [
            "nodeType": .string(nodeType),
            "pluginId": .string(pluginID),
            "pluginVersion": .string(pluginVersion),
            "description": .string(descriptor.description),
            "category": .string(descriptor.category),
            "tags": .array(descriptor.tags.map(JSONValue.string)),
            "supportedVersions": .array(descriptor.supportedVersions.map { .int(Int64($0)) }),
            "schema": descriptor.schema ?? .null,
        ]
    }
}
