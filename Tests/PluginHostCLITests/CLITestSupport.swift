import Foundation
import PluginHostCore
import PluginHostTestSupport

/// Runs the built `plugin-host` binary the way a user would.
enum CLI {
    /// Runs `plugin-host arguments…` with the scan cache off (unless the test passes its own)
    /// and PLUGIN_HOST_PATH cleared, so results depend only on the arguments.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["PLUGIN_HOST_PATH"] = nil
        environment["XDG_CACHE_HOME"] = NSTemporaryDirectory() + "/plugin-host-cli-tests-cache-\(getpid())"
        for (key, value) in extra { environment[key] = value }
        return try ProcessRunner.run(BuildProducts.cli, arguments, environment: environment)
    }

    /// Runs and parses stdout as JSON.
    static func json(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, value: JSONValue, stderr: String) {
        let result = try run(arguments, environment: environment)
        let value = try JSONParser.parse(result.stdout)
        return (result.status, value, result.stderr)
    }
}

extension JSONValue {
    /// The plugin entry in a scan report whose path ends with `suffix`.
    func plugin(endingWith suffix: String) -> JSONValue? {
        self["plugins"]?.arrayValue?.first { $0["path"]?.stringValue?.hasSuffix(suffix) == true }
    }

    /// The codes of a plugin entry's problems.
    var problemCodes: [String] { self["problems"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? [] }
}
