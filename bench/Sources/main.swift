// plugin-host-bench: measures the performance goals beside peers measured in the same run.
//
//   swift run -c release plugin-host-bench [--json] [--setup-peers] [--only GROUPS] [--no-dag-host] [--count N] [--scan-only]
//                                         [--profile cold|warm|cacheload|cli|isolation.KIND N] [--work DIR] [--threads N]
//
// GROUPS is a comma-separated subset of runtime,dispatch,dag,workflow,ffi,embed,isolation,scan (default: all;
// `scan` includes the stage figures; `embed` builds libplugin_host.so first; `workflow` builds the
// release plugin-host and times whole commands on workflow files; `isolation` builds
// plugin-host-worker beside the runner first and measures calls in worker processes). --setup-peers first creates .build/bench-venv with dask (bench/peers/setup.sh);
// the Python peers then run with that interpreter, else with python3 on PATH, else are skipped.
//
// Prints a Markdown table (value, goal, peer, ratio) or, with --json, one JSON array of
// {"name","value","unit","goal","peer","peerValue","ratio"} objects. Ratios matter more than
// absolute numbers: the machine is noisy.
import Foundation
import PluginHostCore

var arguments = Array(CommandLine.arguments.dropFirst())
let wantsJSON = arguments.contains("--json")
var pluginCount = 1000
let allGroups: Set<String> = ["runtime", "dispatch", "dag", "workflow", "ffi", "embed", "isolation", "scan", "service"]
var groups = allGroups
if let index = arguments.firstIndex(of: "--only"), index + 1 < arguments.count {
    groups = Set(arguments[index + 1].split(separator: ",").map(String.init))
    guard groups.isSubset(of: allGroups), !groups.isEmpty else {
        FileHandle.standardError.write(Data("--only takes a comma-separated subset of \(allGroups.sorted().joined(separator: ","))\n".utf8))
        exit(2)
    }
}
if let index = arguments.firstIndex(of: "--count"), index + 1 < arguments.count, let n = Int(arguments[index + 1]), n > 0 {
    pluginCount = n
}

// --work DIR keeps the generated files in DIR (reusing DIR/template.so when present), so a
// profiler run (valgrind cannot spawn cc) can use a farm an earlier run built.
let keptDirectory: String? = arguments.firstIndex(of: "--work").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let workDirectory = keptDirectory ?? NSTemporaryDirectory() + "/plugin-host-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o755])
defer { if keptDirectory == nil { try? FileManager.default.removeItem(atPath: workDirectory) } }

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

if arguments.contains("--setup-peers") { try PythonPeers.setUp(log: log) }
let python = PythonPeers.locate()
log("Python peers: \(python.interpreter ?? "none (python3 not found)")")

log("building \(pluginCount) plugin files…")
let template = try FileManager.default.contents(atPath: workDirectory + "/template.so").map { Array($0) }
    ?? PluginFarm.compileTemplate(in: workDirectory)
var scanBenchmark = ScanBenchmark(template: template, workDirectory: workDirectory, count: pluginCount)
scanBenchmark.scanOnly = arguments.contains("--scan-only")
if let index = arguments.firstIndex(of: "--threads"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    scanBenchmark.profileThreads = n
}
// --profile KIND ITERATIONS: run one path only, for valgrind/perf; prints nothing. KIND is a scan
// kind (cold, warm, cacheload, cli), `dispatch` (PluginHost.execute of math.add as the dispatch
// figure times it, after the same warm-up) or an isolation one (isolation.roundtrip, .floor,
// .workflow, .crash, .probe).
if let index = arguments.firstIndex(of: "--profile"), index + 1 < arguments.count {
    let iterations = index + 2 < arguments.count ? Int(arguments[index + 2]) ?? 10 : 10
    if arguments[index + 1] == "dispatch" {
        try DispatchBenchmark(workDirectory: workDirectory, python: python).profile(iterations: iterations)
    } else if arguments[index + 1].hasPrefix("isolation.") {
        try await IsolationBenchmark(workDirectory: workDirectory, template: template).profile(arguments[index + 1], iterations: iterations)
    } else {
        try scanBenchmark.profile(arguments[index + 1], iterations: iterations)
    }
} else {
    var figures: [Figure] = []
    // Runtime first: its resident-memory figure must not include what later groups load.
    if groups.contains("runtime") && !scanBenchmark.scanOnly {
        figures += try await RuntimeBenchmark(template: template, workDirectory: workDirectory).run(log: log)
    }
    if groups.contains("dispatch") && !scanBenchmark.scanOnly {
        figures += try DispatchBenchmark(workDirectory: workDirectory, python: python).run(log: log)
    }
    if groups.contains("dag") && !scanBenchmark.scanOnly {
        var dag = DAGBenchmark(workDirectory: workDirectory, python: python)
        dag.measureHost = !arguments.contains("--no-dag-host")
        figures += try await dag.run(log: log)
    }
    if groups.contains("workflow") && !scanBenchmark.scanOnly {
        figures += try WorkflowCommandBenchmark(workDirectory: workDirectory, python: python).run(log: log)
    }
    // Issue #5 (item 6): a libffi function node, JSON → C args → JSON (goal ≤ 1 µs), beside a raw
    // ffi_call; and Python → ph_host_execute through libplugin_host.so, beside a plain ctypes call.
    if groups.contains("ffi") && !scanBenchmark.scanOnly {
        figures += try FunctionNodeBenchmark().run(log: log)
    }
    if groups.contains("embed") && !scanBenchmark.scanOnly {
        figures += try EmbedBenchmark(workDirectory: workDirectory, python: python).run(log: log)
    }
    if groups.contains("scan") {
        figures += try scanBenchmark.run(log: log)
        figures += try StageBenchmark(paths: PluginFarm.paths(in: workDirectory + "/scan")).run(log: log)
    }
    // Process isolation: a call through a worker, batched workflows, crash → replacement, the
    // probe, each beside the in-process figure of this run. Last: its probe peer leaves 1 000
    // plugins loaded in this process, which the scan group's load figure must not see.
    if groups.contains("isolation") && !scanBenchmark.scanOnly {
        figures += try await IsolationBenchmark(workDirectory: workDirectory, template: template).run(log: log)
    }
    // `plugin-host serve` under load on loopback, SQLite and PostgreSQL (other processes: last,
    // so nothing of this process's own load runs beside them).
    if groups.contains("service") && !scanBenchmark.scanOnly {
        figures += try ServiceLoadBenchmark(workDirectory: workDirectory).run(log: log)
    }
    if wantsJSON {
        print(JSONWriter.string(.array(figures.map(\.json)), style: .pretty))
    } else {
        print(markdownTable(figures))
    }
}

