import Foundation
import PluginHostCore
import PluginWorkflow

/// The workflow path users take, end to end: 10 000-node chain, fan and layered workflows of
/// `math.add` (``BenchGraph``, concurrency 2) written as workflow files, then
///
/// - `.command`: the whole `plugin-host run FILE --json` process (start, scan, load, parse,
///   validate, run, print), wall time per node, beside a whole Python process doing the same
///   with Dask's synchronous scheduler (`workflow_peers.py whole`: import dask, read the same
///   file, build the graph, compute every node, print the results);
/// - `.run`: that command's own run phase (the `durationMs` it reports), beside Dask's
///   synchronous and threaded schedulers running the same graph of `a + b` tasks in process;
/// - `.validate`: `HostWorkflows.parse` + `validate` of the file's bytes in process;
/// - `workflow.chain.10k.timed.run`: the chain's run phase with `timeoutMs` on every node;
/// - `workflow.chain.100k.rss`: the resident memory (`/usr/bin/time -f %M`) of
///   `plugin-host run` on a 100 000-node chain, in bytes per node, beside a one-node run's.
///
/// The command is the release `plugin-host` (`swift build -c release --product plugin-host`,
/// a no-op when it is up to date), with `--no-default-plugins --plugin-dir` the math plugin
/// ``MathHost`` builds, and its scan cache in the work directory.
struct WorkflowCommandBenchmark {
    let workDirectory: String
    let python: PythonPeers
    static let nodeCount = 10_000
    static let memoryNodeCount = 100_000
    static let repeats = 3

    func run(log: (String) -> Void) throws -> [Figure] {
        let math = try MathHost(workDirectory: workDirectory, log: log)
        let pluginDirectory = (math.library as NSString).deletingLastPathComponent
        let command = buildCommand(log: log)
        var figures: [Figure] = []

        log("workflow: Dask on the same graphs of a + b tasks, in process…")
        let inProcessPeers = python.run("workflow_peers.py", ["run", "--nodes", "\(Self.nodeCount)", "--repeats", "\(Self.repeats)"])
        func peer(_ key: String, _ label: String) -> (String, Double?) {
            switch inProcessPeers {
            case .success(let json):
                let value = json["figures"]?[key]?.doubleValue
                return (value == nil ? label + " (skipped: \(json["daskNote"]?.stringValue ?? "no figure"))" : label, value)
            case .failure(let skipped):
                return (label + " (\(skipped.note))", nil)
            }
        }

        let workflows = HostWorkflows(host: math.host, tenant: MathHost.tenant)
        for shape in BenchGraph.allCases {
            let file = try write(shape, nodes: Self.nodeCount)
            let base = "workflow.\(shape.rawValue).10k"

            log("workflow: \(shape.rawValue): validate in process…")
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            var validateSamples: [Double] = []
            for _ in 0..<Self.repeats {
                let start = WallClockNanos.now()
                let report = workflows.validate(workflows.parse(bytes: bytes))
                validateSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(Self.nodeCount))
                guard !report.problems.containsError else { throw BenchError("workflow \(shape.rawValue): invalid: \(report.problems.first!)") }
            }
            figures.append(Figure(name: base + ".validate", value: median(validateSamples), unit: "µs/node", goal: "≤ 1.5",
                                  meetsGoal: median(validateSamples) <= 1.5, peer: nil, peerValue: nil))

            var commandValue: Double?, runValue: Double?
            var commandNote = "plugin-host run FILE --json"
            switch command {
            case .success(let executable):
                log("workflow: \(shape.rawValue): plugin-host run --json, whole command…")
                var commandSamples: [Double] = [], runSamples: [Double] = []
                for _ in 0..<Self.repeats {
                    let start = WallClockNanos.now()
                    let (status, output) = try runProgram(executable, ["run", file, "--json", "--no-default-plugins", "--plugin-dir", pluginDirectory])
                    commandSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(Self.nodeCount))
                    let document = try JSONParser.parse(output)
                    guard status == 0, document["status"] == "success", let durationMs = document["durationMs"]?.doubleValue else {
                        throw BenchError("workflow \(shape.rawValue): plugin-host run exited \(status)")
                    }
                    runSamples.append(durationMs * 1000 / Double(Self.nodeCount))
                }
                commandValue = median(commandSamples)
                runValue = median(runSamples)
            case .failure(let skipped):
                commandNote = skipped.note
            }

            let (syncLabel, syncValue) = peer("dask.sync.\(shape.rawValue)", "Dask sync (dask.get), same graph of a + b tasks")
            let (threadedLabel, threadedValue) = peer("dask.threaded.\(shape.rawValue)", "Dask threaded (2 workers), same graph")
            figures.append(Figure(name: base + ".run", value: runValue, unit: "µs/node", goal: "≤ 2", meetsGoal: runValue.map { $0 <= 2 },
                                  peer: runValue == nil ? commandNote : syncLabel, peerValue: syncValue))
            figures.append(Figure(name: base + ".run.vs.dask.threaded", value: runValue, unit: "µs/node", goal: "≤ 2",
                                  meetsGoal: runValue.map { $0 <= 2 }, peer: runValue == nil ? commandNote : threadedLabel, peerValue: threadedValue))

            log("workflow: \(shape.rawValue): the whole Dask process on the same file…")
            let (wholeLabel, wholeValue) = wholePeer(file)
            figures.append(Figure(name: base + ".command", value: commandValue, unit: "µs/node", goal: "≤ 8",
                                  meetsGoal: commandValue.map { $0 <= 8 }, peer: commandValue == nil ? commandNote : wholeLabel,
                                  peerValue: wholeValue))
        }

        figures.append(try timedFigure(command, pluginDirectory: pluginDirectory, untimed: figures, log: log))
        figures.append(try memoryFigure(command, pluginDirectory: pluginDirectory, log: log))
        return figures
    }

    /// `workflow.chain.10k.timed.run`: the chain with `settings.timeoutMs` on every node, whose
    /// lanes still make every call themselves (the watchdog watches it), beside the untimed
    /// chain's run phase measured above: the time limit should cost next to nothing per node.
    private func timedFigure(
        _ command: Result<String, PeerSkipped>, pluginDirectory: String, untimed: [Figure], log: (String) -> Void
    ) throws -> Figure {
        let name = "workflow.chain.10k.timed.run"
        let peer = "the same chain without timeoutMs, this run"
        let untimedValue = untimed.first { $0.name == "workflow.chain.10k.run" }?.value
        guard case .success(let executable) = command else {
            return Figure(name: name, value: nil, unit: "µs/node", goal: "≤ 2", meetsGoal: nil, peer: peer, peerValue: untimedValue)
        }
        log("workflow: chain with timeoutMs 10000 on every node…")
        let file = try write(.chain, nodes: Self.nodeCount, timeoutMs: 10_000)
        var samples: [Double] = []
        for _ in 0..<Self.repeats {
            let (status, output) = try runProgram(executable, ["run", file, "--json", "--no-default-plugins", "--plugin-dir", pluginDirectory])
            let document = try JSONParser.parse(output)
            guard status == 0, document["status"] == "success", let durationMs = document["durationMs"]?.doubleValue else {
                throw BenchError("workflow timed chain: plugin-host run exited \(status)")
            }
            samples.append(durationMs * 1000 / Double(Self.nodeCount))
        }
        let value = median(samples)
        return Figure(name: name, value: value, unit: "µs/node", goal: "≤ 2", meetsGoal: value <= 2, peer: peer, peerValue: untimedValue)
    }

    /// Builds the release `plugin-host` and returns its path.
    private func buildCommand(log: (String) -> Void) -> Result<String, PeerSkipped> {
        log("workflow: swift build -c release --product plugin-host…")
        do {
            let (status, _) = try runProgram("/usr/bin/env", ["swift", "build", "-c", "release", "--product", "plugin-host",
                                                               "--package-path", PackagePaths.root])
            guard status == 0 else { return .failure(PeerSkipped("skipped: `swift build -c release --product plugin-host` exited with \(status)")) }
        } catch {
            return .failure(PeerSkipped("skipped: could not run swift build (\(error))"))
        }
        let executable = PackagePaths.root + "/.build/release/plugin-host"
        guard access(executable, X_OK) == 0 else { return .failure(PeerSkipped("skipped: \(executable) missing after the build")) }
        return .success(executable)
    }

    /// The whole-process Dask peer of `.command`: median wall time per node over the repeats.
    private func wholePeer(_ file: String) -> (String, Double?) {
        let label = "a whole Python process: import dask, read the file, dask.get every node, print"
        guard let interpreter = python.interpreter else { return (label + " (\(python.missingNote))", nil) }
        var samples: [Double] = []
        for _ in 0..<Self.repeats {
            let start = WallClockNanos.now()
            guard let (status, _) = try? runProgram(interpreter, [PackagePaths.peers + "/workflow_peers.py", "whole", file]), status == 0 else {
                return (label + " (skipped: the peer failed; is dask installed? run plugin-host-bench --setup-peers)", nil)
            }
            samples.append(Double(WallClockNanos.now() - start) / 1000 / Double(Self.nodeCount))
        }
        return (label, median(samples))
    }

    /// `plugin-host run` of a 100 000-node chain under `/usr/bin/time -f %M`: bytes of peak
    /// resident memory per node, beside a one-node run's peak (KiB), the process's floor.
    private func memoryFigure(_ command: Result<String, PeerSkipped>, pluginDirectory: String, log: (String) -> Void) throws -> Figure {
        let name = "workflow.chain.100k.rss"
        guard case .success(let executable) = command else {
            return Figure(name: name, value: nil, unit: "bytes/node", goal: "≤ 1024", meetsGoal: nil, peer: "not measured: the command was not built", peerValue: nil)
        }
        guard access("/usr/bin/time", X_OK) == 0 else {
            return Figure(name: name, value: nil, unit: "bytes/node", goal: "≤ 1024", meetsGoal: nil,
                          peer: "not measured: /usr/bin/time is missing (Debian: time)", peerValue: nil)
        }
        log("workflow: peak memory of plugin-host run on a \(Self.memoryNodeCount)-node chain…")
        func peakKiB(_ file: String) throws -> Double {
            let report = workDirectory + "/rss.txt"
            let (status, _) = try runProgram("/usr/bin/time", ["-f", "%M", "-o", report, executable, "run", file, "--json",
                                                               "--no-default-plugins", "--plugin-dir", pluginDirectory])
            let text = try String(contentsOfFile: report, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard status == 0, let kib = Double(text.split(separator: "\n").last.map(String.init) ?? "") else {
                throw BenchError("workflow memory: plugin-host run exited \(status) (\(text))")
            }
            return kib
        }
        let large = try peakKiB(try write(.chain, nodes: Self.memoryNodeCount))
        let single = try peakKiB(try write(.chain, nodes: 1))
        let perNode = large * 1024 / Double(Self.memoryNodeCount)
        return Figure(name: name, value: perNode, unit: "bytes/node", goal: "≤ 1024", meetsGoal: perNode <= 1024,
                      peer: "peak KiB of the same command on a 1-node workflow", peerValue: single)
    }

    /// Writes `shape` with `nodes` math.add nodes as a workflow file (nodes and connections,
    /// as a user writes one) and returns its path.
    private func write(_ shape: BenchGraph, nodes count: Int, timeoutMs: Int? = nil) throws -> String {
        let parents = shape.parents(nodes: count)
        var children = [[Int]](repeating: [], count: parents.count)
        for (child, its) in parents.enumerated() { for parent in its { children[parent].append(child) } }
        let limit = timeoutMs.map { #","timeoutMs":\#($0)"# } ?? ""
        var text = #"{"name":"bench-\#(shape.rawValue)","settings":{"concurrency":\#(DAGBenchmark.concurrency)\#(limit)},"nodes":["#
        for index in parents.indices {
            if index > 0 { text += "," }
            text += #"{"name":"n\#(index)","type":"math.add","parameters":{"a":2,"b":3}}"#
        }
        text += #"],"connections":{"#
        var first = true
        for (parent, its) in children.enumerated() where !its.isEmpty {
            if !first { text += "," }
            first = false
            text += #""n\#(parent)":{"main":[["# + its.map { #"{"node":"n\#($0)","type":"main","index":0}"# }.joined(separator: ",") + "]]}"
        }
        text += "}}"
        let path = workDirectory + "/workflow-\(shape.rawValue)-\(count)\(timeoutMs == nil ? "" : "-timed").json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
