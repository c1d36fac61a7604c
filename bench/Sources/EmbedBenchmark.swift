import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginRuntime

/// Issue #5's embedding figure: Python calling the host through `libplugin_host.so`
/// (`ph_host_execute`, embed.h), beside a plain ctypes call measured in the same Python
/// process (`bench/peers/embed_call.py`), and beside the same node executed by the host in
/// Swift in this run, so the cost of the C ABI and of Python can be told apart.
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

        let measured: Result<JSONValue, PeerSkipped>
        switch buildLibrary(log: log) {
        case .failure(let skipped):
            measured = .failure(skipped)
        case .success(let library):
            log("embed: Python → ph_host_execute and a ctypes call (bench/peers/embed_call.py)…")
            measured = python.run("embed_call.py", ["--library", library, "--plugin-dir", mathDirectory, "--plugin-dir", libmDirectory])
        }

        var figures: [Figure] = []
        for node in Self.nodes {
            let rows = [("embed.python.execute.\(node.type)", "binding.\(node.type)"),
                        ("embed.python.ph_host_execute.\(node.type)", "raw.\(node.type)")]
            for (name, key) in rows {
                switch measured {
                case .failure(let skipped):
                    figures.append(Figure(name: name, value: nil, unit: "ns/call", goal: nil, meetsGoal: nil, peer: skipped.note, peerValue: nil))
                case .success(let json):
                    let value = json["figures"]?[key]?.doubleValue
                    let abs = json["figures"]?["ctypes.abs"]?.doubleValue
                    let version = json["python"]?.stringValue ?? ""
                    figures.append(Figure(name: name, value: value, unit: "ns/call", goal: nil, meetsGoal: nil,
                                          peer: "Python \(version) ctypes call of libc abs, same process", peerValue: abs))
                    figures.append(Figure(name: name + ".vs.swift", value: value, unit: "ns/call", goal: nil, meetsGoal: nil,
                                          peer: "PluginHost.execute(\(node.type)) in Swift, this run", peerValue: swiftNs[node.type]))
                }
            }
        }
        return figures
    }

    /// Builds `libplugin_host.so` (release) and returns its path, or why it could not.
    private func buildLibrary(log: (String) -> Void) -> Result<String, PeerSkipped> {
        guard python.interpreter != nil else { return .failure(PeerSkipped(python.missingNote)) }
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
