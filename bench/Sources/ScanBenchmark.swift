import Foundation
import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata

/// Scan (cold and warm) and load figures over many generated plugins, beside a scan that
/// dlopens the same files — what hosts without file-readable metadata must do.
struct ScanBenchmark {
    let template: [UInt8]
    let workDirectory: String
    let count: Int
    /// Only the scan figures: no dlopen peer, no load (quicker, and what profiling wants).
    var scanOnly = false

    /// The farm the scan figures use, built on first use.
    func scanFarm() throws -> PluginFarm {
        try PluginFarm(template: template, directory: workDirectory + "/scan", count: count, firstSerial: 0)
    }

    /// Runs only `kind` (`cold`, `warm` or `cacheload`) `iterations` times, for a profiler
    /// (`valgrind --tool=callgrind`, `perf record`) to see nothing but that path.
    func profile(_ kind: String, iterations: Int) throws {
        // A farm an earlier run left in --work is reused, so the profile holds no file writing.
        let farmDirectory = workDirectory + "/scan"
        if PluginFarm.paths(in: farmDirectory).count != count { _ = try scanFarm() }
        let directory = SearchDirectory(path: farmDirectory, patterns: ["*.so"])
        var options = ScanOptions()
        options.mode = .strict
        let warmCache = ScanCache()
        let cacheFile = workDirectory + "/profile-cache.json"
        if kind != "cold" {
            _ = Scanner(options: options, cache: warmCache).scan([directory])
            try warmCache.save(to: cacheFile)
        }
        for _ in 0..<iterations {
            switch kind {
            case "cold": _ = Scanner(options: options, cache: ScanCache()).scan([directory])
            case "warm": _ = Scanner(options: options, cache: warmCache).scan([directory])
            case "cacheload": precondition(ScanCache.load(from: cacheFile).count == count)
            case "cli":
                let loaded = ScanCache.load(from: cacheFile)
                precondition(Scanner(options: options, cache: loaded).scan([directory]).cacheHits == count)
            default: throw BenchError("unknown profile kind \(kind): use cold, warm, cacheload or cli")
            }
        }
    }

    func run(log: (String) -> Void) throws -> [Figure] {
        let scanFarm = try scanFarm()
        let directory = SearchDirectory(path: scanFarm.directory, patterns: ["*.so"])
        var options = ScanOptions()
        options.mode = .strict

        log("scan: cold (no cache)…")
        var coldSamples: [Double] = []
        var lastReport: ScanReport?
        for _ in 0..<5 {
            let cache = ScanCache()
            let start = WallClockNanos.now()
            let report = Scanner(options: options, cache: cache).scan([directory])
            coldSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
            lastReport = report
        }
        guard let report = lastReport, report.summary.ok == count else {
            throw BenchError("the scan did not accept every generated plugin: \(lastReport?.summary.ok ?? 0) of \(count) ok")
        }

        log("scan: warm (cache populated)…")
        let warmCache = ScanCache()
        _ = Scanner(options: options, cache: warmCache).scan([directory])
        var warmSamples: [Double] = []
        for _ in 0..<9 {
            let start = WallClockNanos.now()
            let warm = Scanner(options: options, cache: warmCache).scan([directory])
            warmSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
            precondition(warm.cacheHits == count, "warm scan missed the cache")
        }

        log("scan: persisted cache load, and load + warm scan as a CLI run pays it…")
        let cacheFile = workDirectory + "/scan-cache.json"
        try? FileManager.default.removeItem(atPath: cacheFile)
        try warmCache.save(to: cacheFile)
        var loadCacheSamples: [Double] = []
        var cliSamples: [Double] = []
        for _ in 0..<9 {
            var start = WallClockNanos.now()
            let loaded = ScanCache.load(from: cacheFile)
            loadCacheSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
            precondition(loaded.count == count, "the saved cache did not load back")
            start = WallClockNanos.now()
            let fresh = ScanCache.load(from: cacheFile)
            let warm = Scanner(options: options, cache: fresh).scan([directory])
            cliSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
            precondition(warm.cacheHits == count, "warm scan from a loaded cache missed it")
        }
        let cacheLoad = median(loadCacheSamples), cli = median(cliSamples)
        let scanFigures = [
            Figure(name: "scan.cold", value: median(coldSamples), unit: "µs/plugin", goal: "≤ 20",
                   meetsGoal: median(coldSamples) <= 20, peer: nil, peerValue: nil),
            Figure(name: "scan.warm", value: median(warmSamples), unit: "µs/plugin", goal: "≤ 3",
                   meetsGoal: median(warmSamples) <= 3, peer: nil, peerValue: nil),
            Figure(name: "scan.cache.load", value: cacheLoad, unit: "µs/plugin", goal: nil, meetsGoal: nil, peer: nil, peerValue: nil),
            Figure(name: "scan.warm.cli (load cache + scan)", value: cli, unit: "µs/plugin", goal: "≤ 3", meetsGoal: cli <= 3,
                   peer: nil, peerValue: nil),
        ]
        if scanOnly { return scanFigures }

        log("peer: dlopen each file to read its metadata…")
        var dlopenSamples: [Double] = []
        for _ in 0..<3 {
            let start = WallClockNanos.now()
            for path in scanFarm.paths {
                guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { throw BenchError("dlopen failed: \(path)") }
                if let symbol = dlsym(handle, "ph_plugin_entry") {
                    typealias Entry = @convention(c) () -> UnsafeRawPointer?
                    _ = unsafeBitCast(symbol, to: Entry.self)()
                }
                dlclose(handle)
            }
            dlopenSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
        }
        let dlopenMedian = median(dlopenSamples)

        log("load: dlopen + bind + checks through PluginLoader…")
        let loadFarm = try PluginFarm(template: template, directory: workDirectory + "/load", count: count, firstSerial: 50_000)
        let loadReport = Scanner(options: options, cache: nil).scan([SearchDirectory(path: loadFarm.directory, patterns: ["*.so"])])
        let start = WallClockNanos.now()
        for plugin in loadReport.plugins {
            if case .failure(let problem) = PluginLoader.load(plugin.inspection) {
                throw BenchError("load failed: \(problem)")
            }
        }
        let loadPerPlugin = Double(WallClockNanos.now() - start) / 1000 / Double(loadReport.plugins.count)

        let cold = median(coldSamples), warm = median(warmSamples)
        return [
            Figure(name: "scan.cold", value: cold, unit: "µs/plugin", goal: "≤ 20", meetsGoal: cold <= 20,
                   peer: "dlopen scan", peerValue: dlopenMedian),
            Figure(name: "scan.warm", value: warm, unit: "µs/plugin", goal: "≤ 3", meetsGoal: warm <= 3,
                   peer: "dlopen scan", peerValue: dlopenMedian),
            scanFigures[2],
            Figure(name: scanFigures[3].name, value: cli, unit: "µs/plugin", goal: "≤ 3", meetsGoal: cli <= 3,
                   peer: "dlopen scan", peerValue: dlopenMedian),
            Figure(name: "load", value: loadPerPlugin, unit: "µs/plugin", goal: "≤ 100", meetsGoal: loadPerPlugin <= 100,
                   peer: "dlopen scan", peerValue: dlopenMedian),
        ]
    }
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Monotonic nanoseconds.
enum WallClockNanos {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
