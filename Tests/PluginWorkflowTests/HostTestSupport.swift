import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginTenancy
import PluginWorkflow

/// Hosts over the bundled plugins (libph-math, -string, -greeter beside the test bundle).
enum BundledHost {
    /// A host that scans only the bundled plugins, no cache files, with `policy` if given.
    static func make(policy: JSONValue? = nil) throws -> PluginHost {
        var configuration = HostConfiguration(directories: [SearchDirectory(path: BuildProducts.directory, patterns: ["libph-*.so"], maximumDepth: 0)])
        if let policy {
            let (set, problems) = TenantPolicySet.parse(policy, file: nil)
            guard let set else { throw PolicyError(problems: problems) }
            configuration.policy = set
        }
        return PluginHost(configuration: configuration)
    }

    struct PolicyError: Error { var problems: [Problem] }

    /// Whether the demo plugin (demo.flaky, demo.slow, demo.fail) was built: it comes with the
    /// runtime's recovery support, so the end-to-end recovery tests need both.
    static var hasDemoPlugin: Bool { FileManager.default.fileExists(atPath: BuildProducts.plugin("demo")) }
}

/// The example workflows in `examples/`.
enum Examples {
    static func path(_ name: String) -> String { CPluginBuilder.repositoryRoot + "/examples/\(name).workflow.json" }

    static func parsed(_ name: String) throws -> ParsedWorkflow {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        return Workflow.parse(text: text)
    }
}

extension ParsedWorkflow {
    /// Parses workflow JSON written in a test.
    static func from(_ text: String) -> ParsedWorkflow { Workflow.parse(text: text) }
}
