import Glibc
import Logging
import PluginDiscovery
import PluginFFI
import PluginHostCore
import PluginMetadata
import PluginRuntime

/// Issue #5's function-node figure (goal: ≤ 1 µs for JSON parameters → C arguments →
/// libffi call → JSON result): the libm example's `libm.pow` with `{"base":2,"exp":10}`,
/// measured three ways beside two floors, all in the same run.
///
/// - `ffi.function-node.json` — `PreparedFunction.call(json:)`, JSON text in and out: the form
///   the loader's execute path uses, and the figure the goal is about.
/// - `ffi.function-node.value` — `PreparedFunction.call(parameters:)`, a parsed `JSONValue` in,
///   `{"result": …}` out.
/// - `ffi.host.execute.libm.pow` — `PluginHost.execute` on `examples/libm` (scan, lookup,
///   schema validation, the call, the output), what a user of the host gets.
///
/// Peers: a raw `ffi_call` of `pow` with a prepared cif and the arguments in place
/// (``RawFFICall``), and a direct Swift call of `pow` through its C function pointer. Figures are the median over batches of
/// (batch wall time / calls), as in ``DispatchBenchmark``.
struct FunctionNodeBenchmark {
    static let parametersText = #"{"base":2,"exp":10}"#
    static let expectedText = #"{"result":1024}"#

    func run(log: (String) -> Void) throws -> [Figure] {
        guard let libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL), let powAddress = dlsym(libm, "pow") else {
            throw BenchError("ffi: cannot dlopen libm.so.6 or find pow")
        }
        let signature = try FunctionSignature(parsing: "double(double,double)")
        let declaration = FunctionDeclaration(symbol: "pow", signature: signature, params: ["base", "exp"])
        let prepared: PreparedFunction
        switch PreparedFunction.prepare(nodeType: "libm.pow", declaration: declaration, address: UnsafeRawPointer(powAddress)) {
        case .success(let function): prepared = function
        case .failure(let problem): throw BenchError("ffi: \(problem.message)")
        }

        // (a) The public entry, JSON text in and out.
        let text = Array(Self.parametersText.utf8)
        let textBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: text.count, alignment: 1)
        textBuffer.copyBytes(from: text)
        let json = UnsafeRawBufferPointer(textBuffer)
        guard case .success(let output) = prepared.call(json: json), output == Array(Self.expectedText.utf8) else {
            throw BenchError("ffi: call(json:) did not answer \(Self.expectedText)")
        }
        for _ in 0..<10_000 { _ = prepared.call(json: json) }
        log("ffi: PreparedFunction.call(json:) × \(DispatchBenchmark.batches * DispatchBenchmark.callsPerBatch)…")
        let jsonNs = try DispatchBenchmark.medianNanoseconds {
            if case .success = prepared.call(json: json) { return true } else { return false }
        }

        // (a') The same with a parsed JSONValue.
        let parameters = try JSONParser.parse(Self.parametersText)
        guard case .success(let value) = prepared.call(parameters: parameters), value["result"]?.doubleValue == 1024 else {
            throw BenchError("ffi: call(parameters:) did not answer {\"result\":1024}")
        }
        for _ in 0..<10_000 { _ = prepared.call(parameters: parameters) }
        log("ffi: PreparedFunction.call(parameters:)…")
        let valueNs = try DispatchBenchmark.medianNanoseconds {
            if case .success = prepared.call(parameters: parameters) { return true } else { return false }
        }

        // (b) The whole host path on the bundled example directory.
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let host = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: PackagePaths.root + "/examples/libm")], logger: logger))
        guard host.scan().summary.ok == 1 else { throw BenchError("ffi: examples/libm was not accepted by the scan") }
        let input = JSONValue.array([])
        let first = host.execute(nodeType: "libm.pow", parameters: parameters, input: input)
        guard first.succeeded, first.output?["result"]?.doubleValue == 1024 else {
            throw BenchError("ffi: PluginHost.execute(libm.pow) failed: \(first.error ?? "wrong output")")
        }
        for _ in 0..<10_000 { _ = host.execute(nodeType: "libm.pow", parameters: parameters, input: input) }
        log("ffi: PluginHost.execute(libm.pow)…")
        let hostNs = try DispatchBenchmark.medianNanoseconds {
            host.execute(nodeType: "libm.pow", parameters: parameters, input: input).succeeded
        }

        // Peers: a raw ffi_call, and pow called directly (arguments read from memory the
        // optimizer cannot see into, so nothing is folded away).
        log("ffi peers: raw ffi_call of pow, direct Swift call of pow…")
        let raw = try RawFFICall(address: powAddress, base: 2, exp: 10)
        guard raw.callOnce() == 1024 else { throw BenchError("ffi: raw ffi_call of pow did not give 1024") }
        for _ in 0..<10_000 { _ = raw.callOnce() }
        let rawNs = try DispatchBenchmark.medianNanoseconds { raw.callOnce() == 1024 }
        // Through the address dlsym gave: a call the optimizer cannot hoist out of the loop as
        // it would `Glibc.pow(2, 10)` (pure, loop-invariant: it measured 0.5 ns, no call at all).
        typealias Pow = @convention(c) (Double, Double) -> Double
        let directPow = unsafeBitCast(powAddress, to: Pow.self)
        let arguments = UnsafeMutablePointer<Double>.allocate(capacity: 2)
        arguments[0] = 2
        arguments[1] = 10
        let directNs = try DispatchBenchmark.medianNanoseconds { directPow(arguments[0], arguments[1]) == 1024 }

        let rawName = "raw ffi_call of pow (prepared cif, no JSON)"
        let directName = "direct Swift call of pow (its C function pointer)"
        func figure(_ name: String, _ value: Double, _ peer: String, _ peerValue: Double) -> Figure {
            Figure(name: name, value: value, unit: "ns/call", goal: "≤ 1000", meetsGoal: value <= 1000, peer: peer, peerValue: peerValue)
        }
        return [
            figure("ffi.function-node.json", jsonNs, rawName, rawNs),
            figure("ffi.function-node.json.vs.direct", jsonNs, directName, directNs),
            figure("ffi.function-node.value", valueNs, rawName, rawNs),
            figure("ffi.host.execute.libm.pow", hostNs, rawName, rawNs),
            figure("ffi.host.execute.libm.pow.vs.direct", hostNs, directName, directNs),
            Figure(name: "ffi.raw-ffi_call.pow", value: rawNs, unit: "ns/call", goal: nil, meetsGoal: nil, peer: directName, peerValue: directNs),
        ]
    }
}
