import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginRuntime

/// The embedding figures: C and Python calling the host through `libplugin_host.so` (embed.h).
///
/// - C (`bench/peers/embed_call.c`, built here with `cc` against the header): `ph_host_execute`
///   (the whole result), `ph_host_execute_as` with the compact and output-only forms, and a
///   prepared `ph_node_call_execute`, for `math.add` (goal ≤ 1.5 µs on the leanest form);
/// - Python (`bench/peers/embed_call.py`): the binding's `Host.execute` (full result; goal
///   ≤ 5 µs for `result="output"` and for a prepared `NodeCall`), and `ph_host_execute` by
///   hand with ctypes, beside a plain ctypes call measured in the same process;
///
/// each beside the same node executed by the host in Swift in this run, so the cost of the C
/// ABI, of the result document and of Python can be told apart.
///
/// `swift run … plugin-host-bench` builds only the runner, so this group builds the library
/// first (`swift build -c release --product plugin_host`, a no-op when it is up to date); the
/// nodes are `math.add` (``MathHost``'s `cc`-built plugin) and the libm example's `libm.pow`.
/// When the library cannot be built or Python cannot run the script, the rows stay with the
/// reason and no value.
struct EmbedBenchmark {
    let workDirectory: String
    let python: PythonPeers

    static let nodes: [(type: String, parameters: String)] = [("math.add", #"{"a":2,"b":3}"#), ("libm.pow", #"{"base":2,"exp":10}"#)]

    func run(log: (String) -> Void) throws -> [Figure] {
        let math = try MathHost(workDirectory: workDirectory, log: log)
        let mathDirectory = workDirectory + "/math"
        let libmDirectory = PackagePaths.root + "/examples/libm"

        // The same nodes executed by the host in Swift, no tenant policy (as the Python host).
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let host = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: mathDirectory), SearchDirectory(path: libmDirectory)], logger: logger))
        guard host.scan().summary.ok == 2 else { throw BenchError("embed: the math plugin or examples/libm was not accepted") }
        var swiftNs: [String: Double] = [:]
        for node in Self.nodes {
            let parameters = try JSONParser.parse(node.parameters)
            guard host.execute(nodeType: node.type, parameters: parameters).succeeded else {
                throw BenchError("embed: \(node.type) failed in Swift")
            }
            for _ in 0..<10_000 { _ = host.execute(nodeType: node.type, parameters: parameters) }
            log("embed: Swift PluginHost.execute(\(node.type)) (same-run reference)…")
            swiftNs[node.type] = try DispatchBenchmark.medianNanoseconds { host.execute(nodeType: node.type, parameters: parameters).succeeded }
        }
        _ = math

        let library = buildLibrary(log: log)
        let measured: Result<JSONValue, PeerSkipped>
        switch library {
        case .failure(let skipped):
            measured = .failure(skipped)
        case .success where python.interpreter == nil:
            measured = .failure(PeerSkipped(python.missingNote))
        case .success(let library):
            log("embed: Python → ph_host_execute and a ctypes call (bench/peers/embed_call.py)…")
            measured = python.run("embed_call.py", ["--library", library, "--plugin-dir", mathDirectory, "--plugin-dir", libmDirectory])
        }

        var figures: [Figure] = []
        figures += cFigures(library: library, pluginDirectory: mathDirectory, swiftNs: swiftNs["math.add"], log: log)
        for node in Self.nodes {
            var rows: [(String, String, Double?)] = [("embed.python.execute.\(node.type)", "binding.\(node.type)", nil),
                                                     ("embed.python.ph_host_execute.\(node.type)", "raw.\(node.type)", nil)]
            if node.type == "math.add" {
                rows += [("embed.python.execute.output.\(node.type)", "binding.output.\(node.type)", 5000),
                         ("embed.python.prepared.\(node.type)", "binding.prepared.\(node.type)", 5000)]
            }
            for (name, key, goal) in rows {
                switch measured {
                case .failure(let skipped):
                    figures.append(Figure(name: name, value: nil, unit: "ns/call", goal: nil, meetsGoal: nil, peer: skipped.note, peerValue: nil))
                case .success(let json):
                    let value = json["figures"]?[key]?.doubleValue
                    let abs = json["figures"]?["ctypes.abs"]?.doubleValue
                    let version = json["python"]?.stringValue ?? ""
                    figures.append(Figure(name: name, value: value, unit: "ns/call", goal: goal.map { "≤ \(Int($0))" },
                                          meetsGoal: goal.flatMap { goal in value.map { $0 <= goal } },
                                          peer: "Python \(version) ctypes call of libc abs, same process", peerValue: abs))
                    figures.append(Figure(name: name + ".vs.swift", value: value, unit: "ns/call", goal: nil, meetsGoal: nil,
                                          peer: "PluginHost.execute(\(node.type)) in Swift, this run", peerValue: swiftNs[node.type]))
                }
            }
        }
        return figures
    }

    /// The C rows: `bench/peers/embed_call.c` built with `cc` against embed.h and the library.
    private func cFigures(library: Result<String, PeerSkipped>, pluginDirectory: String, swiftNs: Double?,
                          log: (String) -> Void) -> [Figure] {
        let rows: [(name: String, key: String, goal: Double?)] = [
            ("embed.c.ph_host_execute.math.add", "execute.full", nil),
            ("embed.c.ph_host_execute_as.compact.math.add", "execute_as.compact", nil),
            ("embed.c.ph_host_execute_as.output.math.add", "execute_as.output", 1500),
            ("embed.c.ph_node_call_execute.output.math.add", "node_call.output", 1500),
        ]
        let peer = "PluginHost.execute(math.add) in Swift, this run"
        func skipped(_ note: String) -> [Figure] {
            rows.map { Figure(name: $0.name, value: nil, unit: "ns/call", goal: $0.goal.map { "≤ \(Int($0))" }, meetsGoal: nil, peer: note, peerValue: nil) }
        }
        let libraryPath: String
        switch library {
        case .failure(let reason): return skipped(reason.note)
        case .success(let path): libraryPath = path
        }
        let libraryDirectory = (libraryPath as NSString).deletingLastPathComponent
        let program = workDirectory + "/embed_call"
        log("embed: C → ph_host_execute, ph_host_execute_as, ph_node_call_execute (bench/peers/embed_call.c)…")
        do {
            let (built, _) = try runProgram("/usr/bin/env", [
                "cc", "-std=c11", "-O2", "-I", PackagePaths.root + "/sdk/include", PackagePaths.root + "/bench/peers/embed_call.c",
                "-L", libraryDirectory, "-lplugin_host", "-Wl,-rpath," + libraryDirectory, "-o", program])
            guard built == 0 else { return skipped("skipped: cc could not build bench/peers/embed_call.c (status \(built))") }
            let (status, output) = try runProgram(program, [pluginDirectory])
            guard status == 0, let json = try? JSONParser.parse(output) else {
                return skipped("skipped: embed_call exited with \(status)")
            }
            return rows.map { row in
                let value = json["figures"]?[row.key]?.doubleValue
                return Figure(name: row.name, value: value, unit: "ns/call", goal: row.goal.map { "≤ \(Int($0))" },
                              meetsGoal: row.goal.flatMap { goal in value.map { $0 <= goal } }, peer: peer, peerValue: swiftNs)
            }
        } catch {
            return skipped("skipped: could not run the C embed benchmark (\(error))")
        }
    }

    /// Builds `libplugin_host.so` (release) and returns its path, or why it could not.
    private func buildLibrary(log: (String) -> Void) -> Result<String, PeerSkipped> {
        log("embed: swift build -c release --product plugin_host…")
        do {
            let (status, _) = try runProgram("/usr/bin/env", ["swift", "build", "-c", "release", "--product", "plugin_host",
                                                               "--package-path", PackagePaths.root])
            guard status == 0 else {
                return .failure(PeerSkipped("skipped: `swift build -c release --product plugin_host` exited with \(status)"))
            }
        } catch {
            return .failure(PeerSkipped("skipped: could not run swift build (\(error))"))
        }
        let library = PackagePaths.root + "/.build/release/libplugin_host.so"
        guard access(library, R_OK) == 0 else { return .failure(PeerSkipped("skipped: \(library) missing after the build")) }
        return .success(library)
    }
}
