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
    /// Inspection threads for `--profile` (0: the scanner's default).
    var profileThreads = 0

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
        options.inspectionThreads = profileThreads
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

        // Cold: a fresh cache every run, so every file gets the full ELF read, JSON parse and
        // strict validation. Measured with the default thread count (what a user gets) and with
        // one inspection thread; CPU time beside wall time, since the machine is shared.
        var singleThread = options
        singleThread.inspectionThreads = 1
        let threads = options.effectiveInspectionThreads
        log("scan: cold (no cache), \(threads) inspection threads and 1…")
        var coldSamples: [Double] = [], coldCPU: [Double] = []
        var singleSamples: [Double] = [], singleCPU: [Double] = []
        var reports: [ScanReport] = []
        for _ in 0..<7 {
            for (scanOptions, wall, cpu) in [(options, 0, 0), (singleThread, 1, 1)] {
                let cache = ScanCache()
                let (start, startCPU) = (WallClockNanos.now(), WallClockNanos.processCPU())
                let report = Scanner(options: scanOptions, cache: cache).scan([directory])
                let elapsed = Double(WallClockNanos.now() - start) / 1000 / Double(count)
                let elapsedCPU = Double(WallClockNanos.processCPU() - startCPU) / 1000 / Double(count)
                if wall == 0 { coldSamples.append(elapsed) } else { singleSamples.append(elapsed) }
                if cpu == 0 { coldCPU.append(elapsedCPU) } else { singleCPU.append(elapsedCPU) }
                if reports.count < 2 { reports.append(report) }
            }
        }
        guard reports.allSatisfy({ $0.summary.ok == count }) else {
            throw BenchError("the scan did not accept every generated plugin: \(reports.map(\.summary.ok)) of \(count) ok")
        }
        guard reports[0].plugins.map(\.path) == reports[1].plugins.map(\.path),
              reports[0].plugins.map(\.manifest) == reports[1].plugins.map(\.manifest) else {
            throw BenchError("the parallel and single-thread scans disagree")
        }

        log("scan: warm (cache populated)…")
        let warmCache = ScanCache()
        _ = Scanner(options: options, cache: warmCache).scan([directory])
        var warmSamples: [Double] = [], warmCPU: [Double] = []
        for _ in 0..<9 {
            let (start, startCPU) = (WallClockNanos.now(), WallClockNanos.processCPU())
            let warm = Scanner(options: options, cache: warmCache).scan([directory])
            warmSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(count))
            warmCPU.append(Double(WallClockNanos.processCPU() - startCPU) / 1000 / Double(count))
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
        func figure(_ name: String, _ value: Double, goal: Double?) -> Figure {
            Figure(name: name, value: value, unit: "µs/plugin", goal: goal.map { "≤ \(Int($0))" },
                   meetsGoal: goal.map { value <= $0 }, peer: nil, peerValue: nil)
        }
        let scanFigures = [
            figure("scan.cold (\(threads) threads)", median(coldSamples), goal: nil),
            figure("scan.cold.1thread", median(singleSamples), goal: 15),
            figure("scan.cold.cpu (CPU time, \(threads) threads)", median(coldCPU), goal: nil),
            figure("scan.cold.1thread.cpu (CPU time)", median(singleCPU), goal: nil),
            figure("scan.warm", median(warmSamples), goal: 3),
            figure("scan.warm.cpu (CPU time)", median(warmCPU), goal: nil),
            figure("scan.cache.load", cacheLoad, goal: nil),
            figure("scan.warm.cli (load cache + scan)", cli, goal: nil),
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
            if case .failure(let problem) = PluginLoader.load(plugin) {
                throw BenchError("load failed: \(problem)")
            }
        }
        let loadPerPlugin = Double(WallClockNanos.now() - start) / 1000 / Double(loadReport.plugins.count)

        var withPeer = scanFigures
        for index in withPeer.indices where !withPeer[index].name.contains(".cpu") {
            withPeer[index].peer = "dlopen scan"
            withPeer[index].peerValue = dlopenMedian
        }
        return withPeer + [
            Figure(name: "load", value: loadPerPlugin, unit: "µs/plugin", goal: "≤ 80", meetsGoal: loadPerPlugin <= 80,
                   peer: "dlopen scan", peerValue: dlopenMedian),
        ]
    }
}

/// Median over `batches` of the mean ns per call of `calls` calls of `body`; throws if any call
/// reports failure (a failing path would be measured otherwise).
func medianNanoseconds(batches: Int, calls: Int, _ body: () -> Bool) throws -> Double {
    var samples: [Double] = []
    samples.reserveCapacity(batches)
    for _ in 0..<batches {
        var failures = 0
        let start = WallClockNanos.now()
        for _ in 0..<calls where !body() { failures += 1 }
        samples.append(Double(WallClockNanos.now() - start) / Double(calls))
        guard failures == 0 else { throw BenchError("\(failures) calls failed during a timed batch") }
    }
    return median(samples)
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

    /// CPU time of the whole process (all threads), user and kernel: on a shared machine this
    /// moves far less than wall time, and for one thread equals wall time on an idle one.
    static func processCPU() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
