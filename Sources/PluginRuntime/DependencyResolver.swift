import PluginDiscovery
import PluginHostCore
import PluginMetadata

/// What can be initialized, in which order, and what cannot (with why), decided from metadata
/// alone, before any plugin code runs.
public struct DependencyPlan: Sendable {
    /// Loadable plugins in a deterministic topological order: every plugin comes after all of
    /// its dependencies, and among plugins whose dependencies are all placed, the one scanned
    /// first comes first (so an unchanged directory always initializes in the same order).
    public var order: [ScannedPlugin]
    /// For each plugin path in ``order``, the paths of the plugins it depends on directly.
    public var dependencies: [String: [String]]
    /// Plugins that cannot load, in scan order, with why: DEPENDENCY_MISSING, DEPENDENCY_VERSION,
    /// DEPENDENCY_CYCLE, or DEPENDENCY_NOT_LOADED when a dependency is excluded (transitively).
    public var excluded: [(plugin: ScannedPlugin, problem: Problem)]

    public init(
        order: [ScannedPlugin], dependencies: [String: [String]],
        excluded: [(plugin: ScannedPlugin, problem: Problem)]
    ) {
        self.order = order
        self.dependencies = dependencies
        self.excluded = excluded
    }

    /// The plugin at `path` and everything it needs, transitively, in the plan's order
    /// (dependencies first, the plugin last). Empty when the plan does not hold it.
    public func closure(of path: String) -> [ScannedPlugin] {
        var needed: Set<String> = [path]
        var frontier = [path]
        while let next = frontier.popLast() {
            for dependency in dependencies[next] ?? [] where needed.insert(dependency).inserted {
                frontier.append(dependency)
            }
        }
        return order.filter { needed.contains($0.path) }
    }
}

/// Resolves plugin dependencies on their manifests, before anything is loaded.
///
/// Only plugins the scan accepted (`status == .ok`) provide dependencies; plugin ids are unique
/// among them (discovery rejects duplicates), so every dependency has at most one candidate.
/// Rejected plugins take no part in the plan: the scan report already explains them.
///
/// Each excluded plugin carries one problem, the most direct one: its own missing or
/// mismatched dependency (the first, in the order its manifest lists them), else its cycle,
/// else the dependency that is excluded (naming the root cause).
public enum DependencyResolver {
    /// Plans the initialization of `plugins` (a scan's plugins, in scan order).
    public static func plan(_ plugins: [ScannedPlugin]) -> DependencyPlan {
        let candidates = plugins.filter { $0.status == .ok && $0.manifest != nil }
        let ids = candidates.map { $0.manifest!.id }
        var indexByID: [String: Int] = [:]
        for (index, id) in ids.enumerated() where indexByID[id] == nil { indexByID[id] = index }
        var rejectedByID: [String: ScannedPlugin] = [:]
        for plugin in plugins where plugin.status != .ok {
            if let id = plugin.manifest?.id, rejectedByID[id] == nil { rejectedByID[id] = plugin }
        }

        // Edges of satisfied dependencies; a plugin's first unsatisfied one is its problem.
        var edges = [[Int]](repeating: [], count: candidates.count)
        var problems = [Problem?](repeating: nil, count: candidates.count)
        for (index, plugin) in candidates.enumerated() {
            for dependency in plugin.manifest!.dependencies {
                guard let provider = indexByID[dependency.pluginID] else {
                    if problems[index] == nil {
                        problems[index] = missing(dependency, of: plugin, rejected: rejectedByID[dependency.pluginID])
                    }
                    continue
                }
                if let mismatch = versionProblem(dependency, of: plugin, provider: candidates[provider]) {
                    if problems[index] == nil { problems[index] = mismatch }
                } else if !edges[index].contains(provider) {
                    edges[index].append(provider)
                }
            }
        }

        // Every member of a cycle is excluded, unless it already has a more direct problem.
        let graph = DependencyGraph(edges: edges)
        var cyclic = [Bool](repeating: false, count: candidates.count)
        for component in graph.cyclicComponents() {
            let cycles = graph.cycles(in: component)
            for index in component {
                cyclic[index] = true
                guard problems[index] == nil, let cycle = cycles[index] else { continue }
                problems[index] = Problem(
                    .dependencyCycle, .error,
                    "\(ids[index]) depends on itself through the cycle \(cycle.describe { ids[$0] }); remove one of these dependencies",
                    file: candidates[index].path)
            }
        }

        // Walk in dependency order; cycle members count as settled (and failed) from the start,
        // so everything else forms a DAG and is visited exactly once.
        var rootCause = [(id: String, code: ProblemCode)?](repeating: nil, count: candidates.count)
        var order: [ScannedPlugin] = []
        var dependencyPaths: [String: [String]] = [:]
        for index in graph.topologicalOrder(settledFirst: cyclic) {
            let plugin = candidates[index]
            if let problem = problems[index] {
                rootCause[index] = (ids[index], problem.code)
            } else if let failed = edges[index].first(where: { rootCause[$0] != nil }), let root = rootCause[failed] {
                rootCause[index] = root
                problems[index] = notLoaded(ids[index], dependency: ids[failed], root: root, file: plugin.path)
            } else {
                order.append(plugin)
                dependencyPaths[plugin.path] = edges[index].map { candidates[$0].path }
            }
        }
        var excluded: [(plugin: ScannedPlugin, problem: Problem)] = []
        for (index, problem) in problems.enumerated() {
            if let problem { excluded.append((candidates[index], problem)) }
        }
        return DependencyPlan(order: order, dependencies: dependencyPaths, excluded: excluded)
    }

    private static func missing(_ dependency: PluginDependency, of plugin: ScannedPlugin, rejected: ScannedPlugin?) -> Problem {
        let id = plugin.manifest!.id
        let message: String
        if let rejected {
            let reason = rejected.problems.first { $0.severity == .error }.map { " (\($0.code))" } ?? ""
            message = "\(id) needs \(dependency.pluginID) \(dependency.range), but its file \(rejected.path) was rejected\(reason); fix that file (`plugin-host scan` says why)"
        } else {
            message = "\(id) needs \(dependency.pluginID) \(dependency.range), which is not installed; install it into a plugin directory or remove the dependency"
        }
        return Problem(.dependencyMissing, .error, message, file: plugin.path)
    }

    /// Nil when `provider`'s version is in the range. Ranges and versions were checked at scan
    /// time, but a loose scan lets some bad ones through as warnings, so neither is trusted here.
    private static func versionProblem(_ dependency: PluginDependency, of plugin: ScannedPlugin, provider: ScannedPlugin) -> Problem? {
        let id = plugin.manifest!.id
        let installed = provider.manifest!.version
        guard let range = VersionRange(dependency.range) else {
            return Problem(.dependencyVersion, .error,
                "\(id) declares the range \"\(dependency.range)\" for \(dependency.pluginID), which is not a supported range; use ^, ~, >= or an exact version",
                file: plugin.path)
        }
        guard let version = SemanticVersion(installed) else {
            return Problem(.dependencyVersion, .error,
                "\(id) needs \(dependency.pluginID) \(range) but the installed \(dependency.pluginID) declares version \"\(installed)\", which is not semver; fix \(provider.path)'s metadata",
                file: plugin.path)
        }
        guard !range.contains(version) else { return nil }
        return Problem(.dependencyVersion, .error,
            "\(id) needs \(dependency.pluginID) \(range) but \(installed) is installed; install a release of \(dependency.pluginID) matching \(range) or relax the range",
            file: plugin.path)
    }

    private static func notLoaded(_ id: String, dependency: String, root: (id: String, code: ProblemCode), file: String) -> Problem {
        let cause = root.id == dependency
            ? "its dependency \(dependency) cannot load (\(root.code))"
            : "its dependency \(dependency) cannot load because \(root.id) cannot (\(root.code))"
        return Problem(.dependencyNotLoaded, .error, "\(id) is not loaded: \(cause); fix \(root.id) first", file: file)
    }
}
