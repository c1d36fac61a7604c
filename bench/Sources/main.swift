// plugin-host-bench: measures the DESIGN §8 figures beside peers measured in the same run.
//
//   swift run -c release plugin-host-bench [--json] [--count N] [--scan-only] [--profile cold|warm|cacheload|cli N]
//                                         [--work DIR] [--threads N]
//
// Prints a Markdown table (value, goal, peer, ratio) or, with --json, one JSON array of
// {"name","value","unit","goal","peer","peerValue","ratio"} objects. Ratios matter more than
// absolute numbers: the machine is noisy.
import Foundation
import PluginHostCore

var arguments = Array(CommandLine.arguments.dropFirst())
let wantsJSON = arguments.contains("--json")
var pluginCount = 1000
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

log("building \(pluginCount) plugin files…")
let template = try FileManager.default.contents(atPath: workDirectory + "/template.so").map { Array($0) }
    ?? PluginFarm.compileTemplate(in: workDirectory)
var scanBenchmark = ScanBenchmark(template: template, workDirectory: workDirectory, count: pluginCount)
scanBenchmark.scanOnly = arguments.contains("--scan-only")
if let index = arguments.firstIndex(of: "--threads"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    scanBenchmark.profileThreads = n
}
// --profile KIND ITERATIONS: run one path only, for valgrind/perf; prints nothing.
if let index = arguments.firstIndex(of: "--profile"), index + 1 < arguments.count {
    let iterations = index + 2 < arguments.count ? Int(arguments[index + 2]) ?? 10 : 10
    try scanBenchmark.profile(arguments[index + 1], iterations: iterations)
} else {
    var figures: [Figure] = []
    if !scanBenchmark.scanOnly {
        figures += try await RuntimeBenchmark(template: template, workDirectory: workDirectory).run(log: log)
    }
    figures += try scanBenchmark.run(log: log)
    figures += try StageBenchmark(paths: PluginFarm.paths(in: workDirectory + "/scan")).run(log: log)
    if wantsJSON {
        print(JSONWriter.string(.array(figures.map(\.json)), style: .pretty))
    } else {
        print(markdownTable(figures))
    }
}

