import PluginDiscovery
import PluginHostCore
import PluginMetadata

/// The scheduler's bookkeeping over `plan.order`: who waits for whom, who may start, who ended how.
///
/// Owned by the run's coordinator thread alone, never shared, so it needs no lock. A plugin
/// becomes ready when its last dependency initializes (a DAG, not layers: one slow plugin holds
/// back only its own dependents). When a plugin ends any other way, all of its dependents,
/// transitively, are settled as skipped at once, naming it.
struct InitProgress {
    let plugins: [ScannedPlugin]
    private(set) var outcomes: [InitOutcome?]
    private var pending: [Int]
    private var dependents: [[Int]]
    private var ready = IndexHeap()

    init(plan: DependencyPlan) {
        plugins = plan.order
        outcomes = Array(repeating: nil, count: plugins.count)
        pending = Array(repeating: 0, count: plugins.count)
        dependents = Array(repeating: [], count: plugins.count)
        var indexByPath: [String: Int] = [:]
        for (index, plugin) in plugins.enumerated() { indexByPath[plugin.path] = index }
        var unplanned: [(index: Int, dependency: String)] = []
        for (index, plugin) in plugins.enumerated() {
            for path in plan.dependencies[plugin.path] ?? [] {
                if let dependency = indexByPath[path], dependency != index {
                    pending[index] += 1
                    dependents[dependency].append(index)
                } else {
                    unplanned.append((index, path))
                }
            }
        }
        for index in plugins.indices where pending[index] == 0 { ready.push(index) }
        // A hand-made plan may name a dependency it does not schedule; never run without it.
        for (index, path) in unplanned where outcomes[index] == nil {
            settle(index, status: .skipped, problem: Problem(
                .dependencyNotLoaded, .error,
                "\(Self.id(plugins[index])) was not initialized: its dependency \(path) is not part of the plan; resolve dependencies with DependencyResolver.plan",
                file: plugins[index].path), durationMs: 0, startedAtMs: nil)
        }
    }

    /// The earliest-planned plugin whose dependencies all initialized, not yet started.
    mutating func nextReady() -> Int? {
        while let index = ready.popMinimum() {
            if outcomes[index] == nil { return index }
        }
        return nil
    }

    /// Records how plugin `index` ended. Success readies the dependents it was the last
    /// dependency of; anything else skips every dependent, transitively, with
    /// DEPENDENCY_NOT_LOADED naming this plugin as the root cause.
    mutating func settle(_ index: Int, status: InitStatus, problem: Problem?, durationMs: Double, startedAtMs: Double?) {
        guard outcomes[index] == nil else { return }
        outcomes[index] = Self.outcome(plugins[index], status, problem, durationMs, startedAtMs)
        if status == .initialized {
            for dependent in dependents[index] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.push(dependent) }
            }
            return
        }
        let root = Self.id(plugins[index])
        let code = problem?.code ?? .dependencyNotLoaded
        var stack = dependents[index].map { (dependent: $0, via: index) }
        while let (dependent, via) = stack.popLast() {
            guard outcomes[dependent] == nil else { continue }
            let direct = Self.id(plugins[via])
            let cause = via == index
                ? "its dependency \(root) could not initialize (\(code))"
                : "its dependency \(direct) was not initialized because \(root) could not (\(code))"
            let skipped = Problem(.dependencyNotLoaded, .error,
                "\(Self.id(plugins[dependent])) was not initialized: \(cause); fix \(root) first",
                file: plugins[dependent].path)
            outcomes[dependent] = Self.outcome(plugins[dependent], .skipped, skipped, 0, nil)
            stack.append(contentsOf: dependents[dependent].map { ($0, dependent) })
        }
    }

    static func id(_ plugin: ScannedPlugin) -> String { plugin.manifest?.id ?? plugin.path }

    static func outcome(
        _ plugin: ScannedPlugin, _ status: InitStatus, _ problem: Problem?, _ durationMs: Double, _ startedAtMs: Double?
    ) -> InitOutcome {
        InitOutcome(
            path: plugin.path, id: id(plugin), version: plugin.manifest?.version ?? "", status: status,
            problem: problem, durationMs: durationMs, startedAtMs: startedAtMs)
    }
}
