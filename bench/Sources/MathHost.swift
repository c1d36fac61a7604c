import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginRuntime
import PluginTenancy

/// The real host the dispatch and host-executed DAG figures use: `Plugins/math` built with plain
/// `cc -O2` (`swift run` does not build the plugin products) into its own directory, and a
/// policy under which tenant `acme` may run `math.add` and `math.sub` but not `math.div`, so
/// every call pays a real tenant check. The isolation group makes the same host with
/// `isolation.mode = .process`, so both sides of its ratios differ only in where calls run.
struct MathHost {
    let host: PluginHost
    /// The plugin file the host runs (the direct-call peer opens the same one).
    let library: String
    static let tenant = "acme"

    /// `isolation`: where the host runs the calls (the isolation group passes `.process`).
    init(workDirectory: String, isolation: IsolationOptions = IsolationOptions(), log: (String) -> Void) throws {
        let directory = workDirectory + "/math"
        library = try Self.compile(source: PackagePaths.root + "/Plugins/math/math.c", into: directory, log: log)
        let policyJSON = try JSONParser.parse(#"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.add","math.sub"],"dataIsolation":"none","auditLogging":false}]}"#)
        let (policy, problems) = TenantPolicySet.parse(policyJSON, file: nil)
        guard let policy else { throw BenchError("math host policy: \(problems)") }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        host = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: directory)], policy: policy, logger: logger, isolation: isolation))
        guard host.scan().summary.ok == 1 else { throw BenchError("Plugins/math was not accepted by the scan") }
    }

    /// Builds the plugin `source` (a one-file C plugin of Plugins/) with `cc` into `directory`
    /// as `libph-NAME.so` unless it is there already, and returns its path.
    static func compile(source: String, into directory: String, log: (String) -> Void) throws -> String {
        let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        let library = directory + "/libph-\(name).so"
        if access(library, R_OK) != 0 {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            log("building Plugins/\(name) with cc…")
            try PluginFarm.compilePlugin(source: source, output: library)
        }
        return library
    }
}
