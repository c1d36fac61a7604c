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
        // Values are indices into `plugins` (a tuple value type would make every dictionary
        // operation go through runtime generic metadata, which showed in profiles).
        var idOwners: [String: Int] = [:]
        var nodeTypeOwners: [String: Int] = [:]
        idOwners.reserveCapacity(plugins.count)
        nodeTypeOwners.reserveCapacity(plugins.count * 2)
        var rejections: [(index: Int, problems: [Problem])] = []
        // Indices rather than `for plugin in plugins` / `for node in nodes`: copying a
        // ScannedPlugin or NodeDescriptor retains every field, which dominated warm scans.
        // Claims are made optimistically (one hash per key: `updateValue` both looks up and
        // inserts) and undone in the rare case a plugin turns out to repeat something, which is
        // the same outcome as checking everything first and claiming only then.
        var claimedNodes: [Int] = []
        for index in plugins.indices where plugins[index].status == .ok {
            guard let manifest = plugins[index].inspection.manifest else { continue }
            var duplicates: [Problem] = []
            var claimedID = false
            if let owner = idOwners.updateValue(index, forKey: manifest.id), owner != index {
                idOwners[manifest.id] = owner
                duplicates.append(Problem(.duplicatePluginID, .error,
                    "plugin id \(manifest.id) is already provided by \(plugins[owner].path), which comes first in the search order; remove one of the two files",
                    file: plugins[index].path))
            } else {
                claimedID = true
            }
            claimedNodes.removeAll(keepingCapacity: true)
            for nodeIndex in manifest.nodes.indices {
                let nodeType = manifest.nodes[nodeIndex].nodeType
                if let owner = nodeTypeOwners.updateValue(index, forKey: nodeType), owner != index {
                    nodeTypeOwners[nodeType] = owner
                    let ownerID = plugins[owner].inspection.manifest?.id ?? "?"
                    duplicates.append(Problem(.duplicateNodeType, .error,
                        "node type \(nodeType) is already provided by \(plugins[owner].path) (plugin \(ownerID)), which comes first in the search order; rename the node type or remove one of the plugins",
                        file: plugins[index].path, node: nodeType))
                } else {
                    claimedNodes.append(nodeIndex)
                }
            }
            if !duplicates.isEmpty {
                // A plugin that repeats anything claims nothing.
                if claimedID { idOwners[manifest.id] = nil }
                for nodeIndex in claimedNodes { nodeTypeOwners[manifest.nodes[nodeIndex].nodeType] = nil }
                rejections.append((index, duplicates))
            }
        }
        for (index, problems) in rejections {
            for problem in problems { plugins[index].append(problem) }
        }
    }
}
