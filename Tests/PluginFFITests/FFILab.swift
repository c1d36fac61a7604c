import Logging
import PluginDiscovery
import PluginFFI
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Synchronization

/// A C library exporting one function per supported type (and a few with odd behaviour),
/// compiled once with plain `cc`, exposed by a standalone manifest and loaded through the real
/// loader, so every test calls real prepared functions.
enum FFILab {
    static let source = """
        #include <math.h>
        #include <stdbool.h>
        #include <stdint.h>
        #include <stddef.h>
        #include <string.h>
        #define X __attribute__((visibility("default")))
        X int8_t lab_int8(int8_t v) { return v; }
        X int16_t lab_int16(int16_t v) { return v; }
        X int32_t lab_int32(int32_t v) { return v; }
        X int64_t lab_int64(int64_t v) { return v; }
        X uint8_t lab_uint8(uint8_t v) { return v; }
        X uint16_t lab_uint16(uint16_t v) { return v; }
        X uint32_t lab_uint32(uint32_t v) { return v; }
        X uint64_t lab_uint64(uint64_t v) { return v; }
        X float lab_float(float v) { return v; }
        X double lab_double(double v) { return v; }
        X bool lab_not(bool v) { return !v; }
        X const char *lab_string(const char *s) { return s; }
        static char buffer[64];
        X const char *lab_buffer(const char *s) { strncpy(buffer, s, sizeof buffer - 1); return buffer; }
        X const char *lab_null(void) { return NULL; }
        static int32_t stored;
        X void lab_store(int32_t v) { stored = v; }
        X int32_t lab_stored(void) { return stored; }
        static int32_t calls;
        X void lab_counted(int8_t v) { (void)v; calls++; }
        X int32_t lab_calls(void) { return calls; }
        X double lab_nan(void) { return NAN; }
        X float lab_infinity(void) { return INFINITY; }
        X uint64_t lab_uint64_max(void) { return UINT64_MAX; }
        X int8_t lab_narrow(int32_t v) { return (int8_t)v; }
        X double lab_mixed(int8_t a, double b, float c, bool d, const char *s, uint64_t e) {
            return a + b + c + (d ? 1000 : 0) + (double)strlen(s) * 10000 + (double)e * 100000;
        }
        """

    /// node type → (symbol, signature, params).
    static let functions: [(String, String, String, [String])] = [
        ("lab.int8", "lab_int8", "int8(int8)", ["v"]),
        ("lab.int16", "lab_int16", "int16(int16)", ["v"]),
        ("lab.int32", "lab_int32", "int32(int32)", ["v"]),
        ("lab.int64", "lab_int64", "int64(int64)", ["v"]),
        ("lab.uint8", "lab_uint8", "uint8(uint8)", ["v"]),
        ("lab.uint16", "lab_uint16", "uint16(uint16)", ["v"]),
        ("lab.uint32", "lab_uint32", "uint32(uint32)", ["v"]),
        ("lab.uint64", "lab_uint64", "uint64(uint64)", ["v"]),
        ("lab.float", "lab_float", "float(float)", ["v"]),
        ("lab.double", "lab_double", "double(double)", ["v"]),
        ("lab.not", "lab_not", "bool(bool)", ["v"]),
        ("lab.string", "lab_string", "string(string)", ["s"]),
        ("lab.buffer", "lab_buffer", "string(string)", ["s"]),
        ("lab.null", "lab_null", "string()", []),
        ("lab.store", "lab_store", "void(int32)", ["v"]),
        ("lab.stored", "lab_stored", "int32(void)", []),
        ("lab.counted", "lab_counted", "void(int8)", ["v"]),
        ("lab.calls", "lab_calls", "int32()", []),
        ("lab.nan", "lab_nan", "double()", []),
        ("lab.infinity", "lab_infinity", "float()", []),
        ("lab.uint64-max", "lab_uint64_max", "uint64()", []),
        ("lab.narrow", "lab_narrow", "int8(int32)", ["v"]),
        ("lab.mixed", "lab_mixed", "double(int8,double,float,bool,string,uint64)", ["a", "b", "c", "d", "s", "e"]),
    ]

    /// The standalone manifest text for `functions` in `library`.
    static func manifest(library: String, functions: [(String, String, String, [String])] = functions, threadSafe: Bool = true) -> String {
        let nodes: [JSONValue] = functions.map { nodeType, symbol, signature, params in
            [
                "nodeType": .string(nodeType), "version": "1.0.0", "category": "test", "supportedVersions": [1],
                "description": "A function of the test library.",
                "function": ["symbol": .string(symbol), "signature": .string(signature), "params": .array(params.map { .string($0) })],
            ]
        }
        let root: JSONValue = [
            "id": "org.test.ffilab", "name": "FFI lab", "version": "1.0.0", "abi": "1.0",
            "description": "Functions for every supported type.", "threadSafe": .bool(threadSafe), "dependencies": [:],
            "library": .string(library), "nodes": .array(nodes),
        ]
        return JSONWriter.string(root)
    }

    /// The loaded lab and the directory its library lives in (kept for the whole run).
    private struct Lab: Sendable {
        var plugin: LoadedPlugin
        var directory: TemporaryDirectory
    }

    private static let built = Locked<Result<Lab, TestSupportError>?>(nil)

    /// The lab, compiled, inspected, loaded and initialized once per test run.
    static func plugin() throws -> LoadedPlugin {
        try built.withLock { built in
            if built == nil { built = Result { () throws(TestSupportError) in try build() } }
            return try built!.get().plugin
        }
    }

    private static func build() throws(TestSupportError) -> Lab {
        do {
            let dir = try TemporaryDirectory(prefix: "ffi-lab")
            try CPluginBuilder.build(source: source, name: "liblab.so", in: dir, extraFlags: ["-lm"])
            // A relative path: resolved against the manifest's directory, not the working one.
            let path = try dir.write("lab.plugin.json", manifest(library: "./liblab.so"))
            let inspection = PluginInspector.inspectStandalone(path: path, fileDescriptor: nil, mode: .strict)
            guard inspection.isLoadable else { throw TestSupportError("lab manifest rejected: \(inspection.problems)") }
            let plugin = try PluginLoader.load(inspection).get()
            try plugin.initialize(config: [:]).get()
            return Lab(plugin: plugin, directory: dir)
        } catch let error as TestSupportError {
            throw error
        } catch {
            throw TestSupportError("lab setup failed: \(error)")
        }
    }

    /// The prepared function for `nodeType`.
    static func function(_ nodeType: String) throws -> PreparedFunction {
        guard let function = try plugin().preparedFunction(for: nodeType) else {
            throw TestSupportError("no prepared function for \(nodeType)")
        }
        return function
    }

    /// Calls `nodeType` with `parameters`; the `result` member on success.
    static func call(_ nodeType: String, _ parameters: JSONValue) throws -> Result<JSONValue, Problem> {
        try function(nodeType).call(parameters: parameters).map { $0["result"] ?? "missing result" }
    }

    /// The byte form: parameters as JSON text, the result as JSON text.
    static func callText(_ nodeType: String, _ parameters: String) throws -> Result<String, Problem> {
        let function = try function(nodeType)
        var text = parameters
        return text.withUTF8 { function.call(json: UnsafeRawBufferPointer($0)) }.map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Result where Failure == Problem {
    /// The failure's code, nil on success.
    var code: ProblemCode? { if case .failure(let problem) = self { problem.code } else { nil } }
    /// The failure's message, nil on success.
    var message: String? { if case .failure(let problem) = self { problem.message } else { nil } }
}

extension PluginLoader {
    /// For inspections the tests build by hand: loads the file that is at the path now, as if a
    /// scan had just recorded it (production code passes the scan's identity).
    static func load(_ inspection: PluginInspection, logger: Logger? = nil) -> Result<LoadedPlugin, Problem> {
        let missing = FileIdentity(device: 0, inode: 0, size: 0, modificationTimeNanoseconds: 0, mode: 0, owner: 0)
        return load(inspection, scannedAs: FileIdentity(atPath: inspection.path) ?? missing, logger: logger)
    }
}
