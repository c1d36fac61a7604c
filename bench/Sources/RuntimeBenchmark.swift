import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginTenancy

/// Issue #3's figures: init scheduling against its ideal, resident memory with 100 plugins
/// loaded, and the per-call cost of a registry lookup plus a tenant check. Runs first in the
/// process, so the memory figure is not inflated by the scan benchmark's 1 000 plugins.
struct RuntimeBenchmark {
    let template: [UInt8]
    let workDirectory: String
    static let pluginCount = 100
    static let initDelayMs = 50
    static let concurrency = 5

    func run(log: (String) -> Void) async throws -> [Figure] {
        let baselineKB = Self.residentKilobytes()
        let farm = try PluginFarm(template: template, directory: workDirectory + "/init", count: Self.pluginCount, firstSerial: 80_000)
        let report = Scanner(options: ScanOptions(), cache: nil).scan([SearchDirectory(path: farm.directory)])
        guard report.summary.ok == Self.pluginCount else { throw BenchError("init farm: \(report.summary.ok) ok") }
        var configurations: [String: JSONValue] = [:]
        for plugin in report.plugins { configurations[plugin.inspection.manifest!.id] = ["delayMs": .int(Int64(Self.initDelayMs))] }

        log("init: \(Self.pluginCount) plugins × \(Self.initDelayMs) ms at concurrency \(Self.concurrency)…")
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let initReport = await InitScheduler.run(
            plan: DependencyResolver.plan(report.plugins),
            options: InitOptions(concurrency: Self.concurrency, timeout: .seconds(5), configurations: configurations),
            quarantine: nil, logger: logger)
        guard initReport.initialized.count == Self.pluginCount else { throw BenchError("init: \(initReport.initialized.count) initialized") }
        let idealMs = Double(Self.pluginCount * Self.initDelayMs) / Double(Self.concurrency)
        let loadedKB = Self.residentKilobytes()

        log("registry lookup + tenant check…")
        let registry = NodeRegistry(plugins: initReport.initialized)
        let nodeTypes = registry.list().map(\.nodeType)
        let policy = TenantPolicy(
            tenantID: "acme", allowedNodeTypes: [NodeTypePattern("bench.*")!],
            restrictedNodeTypes: [], dataIsolation: .none, auditLogging: false,
            isDefaultPolicy: false, policyFile: nil)
        let iterations = 2_000_000
        var found = 0
        let start = WallClockNanos.now()
        for i in 0..<iterations {
            let type = nodeTypes[i % nodeTypes.count]
            if registry.node(type) != nil && policy.check(nodeType: type) == nil { found += 1 }
        }
        let lookupNs = Double(WallClockNanos.now() - start) / Double(iterations)
        precondition(found == iterations)
        let table = Dictionary(uniqueKeysWithValues: nodeTypes.map { ($0, $0.count) })
        var sum = 0
        let dictStart = WallClockNanos.now()
        for i in 0..<iterations { sum &+= table[nodeTypes[i % nodeTypes.count]] ?? 0 }
        let dictNs = Double(WallClockNanos.now() - dictStart) / Double(iterations)
        precondition(sum > 0)

        return [
            Figure(name: "init.100x50ms.c5", value: initReport.wallTimeMs, unit: "ms", goal: "≤ 1.05 × ideal",
                   meetsGoal: initReport.wallTimeMs <= idealMs * 1.05, peer: "ideal (100×50 ms / 5)", peerValue: idealMs),
            Figure(name: "rss.100.plugins.loaded", value: Double(loadedKB) / 1024, unit: "MB", goal: "≤ 30",
                   meetsGoal: Double(loadedKB) / 1024 <= 30, peer: "same process before loading", peerValue: Double(baselineKB) / 1024),
            Figure(name: "registry.lookup+tenant.check", value: lookupNs, unit: "ns/call", goal: nil, meetsGoal: nil,
                   peer: "Swift Dictionary lookup alone", peerValue: dictNs),
        ]
    }

    /// VmRSS of this process, from /proc/self/status.
    static func residentKilobytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
