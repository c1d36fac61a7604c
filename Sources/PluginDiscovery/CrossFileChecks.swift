import PluginHostCore
import PluginMetadata

/// Checks that need every file at once: a plugin id or a node type provided by two files.
///
/// The rule is **walk order wins**: search directories in the order given, then paths in the
/// order the walk found them (sorted names, depth first). The first ok plugin keeps the id or
/// node type; every later file that declares it again is rejected with `DUPLICATE_PLUGIN_ID` or
/// `DUPLICATE_NODE_TYPE`, naming the winner. This is the same precedence as `PATH` or
/// `LD_LIBRARY_PATH`, so a user directory listed first can override a system one. Only plugins
/// that are still ok claim anything: a rejected file cannot block a good one. Run on every scan
/// (never cached) because the answer depends on the other files.
enum CrossFileChecks {
    static func apply(to plugins: inout [ScannedPlugin]) {
        var idOwners: [String: String] = [:]
        var nodeTypeOwners: [String: (path: String, id: String)] = [:]
        for index in plugins.indices where plugins[index].status == .ok {
            guard let manifest = plugins[index].manifest else { continue }
            let path = plugins[index].path
            var duplicates: [Problem] = []
            if let owner = idOwners[manifest.id] {
                duplicates.append(Problem(.duplicatePluginID, .error,
                    "plugin id \(manifest.id) is already provided by \(owner), which comes first in the search order; remove one of the two files",
                    file: path))
            }
            for node in manifest.nodes {
                if let owner = nodeTypeOwners[node.nodeType] {
                    duplicates.append(Problem(.duplicateNodeType, .error,
                        "node type \(node.nodeType) is already provided by \(owner.path) (plugin \(owner.id)), which comes first in the search order; rename the node type or remove one of the plugins",
                        file: path, node: node.nodeType))
                }
            }
            if duplicates.isEmpty {
                idOwners[manifest.id] = path
                for node in manifest.nodes where nodeTypeOwners[node.nodeType] == nil {
                    nodeTypeOwners[node.nodeType] = (path, manifest.id)
                }
            } else {
                for problem in duplicates { plugins[index].append(problem) }
            }
        }
    }
}
