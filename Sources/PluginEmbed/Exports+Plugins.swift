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
        // The `plugin-host load --json` document: the init report plus the scan's summary, and
        // the scan's directory problems (DIRECTORY_NOT_FOUND, …) as `problems`: a misspelt
        // plugin directory would otherwise load nothing with no word why.
        report.set({
            var json = initReport.json().objectValue ?? JSONObject()
            let scanJSON = scan.json()
            json["scan"] = scanJSON["summary"] ?? .null
            json["problems"] = scanJSON["problems"] ?? .array([])
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
