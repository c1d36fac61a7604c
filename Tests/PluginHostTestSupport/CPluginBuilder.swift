import Foundation

/// Compiles C plugins for tests with plain `cc`, against the SDK headers in this checkout.
///
/// Tests build their own hostile and special-purpose plugins into temporary directories so
/// those never appear in the default plugin path. This is also the proof that the SDK needs
/// nothing but a C compiler: no Swift runtime, no SwiftPM.
public enum CPluginBuilder {
    /// The checkout's root directory (found from this file's location).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/PluginHostTestSupport/X.swift
        return url.path
    }()

    /// `sdk/include`, the directory plugin sources put on their include path.
    public static var sdkIncludeDirectory: String { repositoryRoot + "/sdk/include" }

    /// The C compiler: `$CC` if set, else `cc`.
    public static var compiler: String { ProcessInfo.processInfo.environment["CC"] ?? "cc" }

    /// Compiles `source` (C11) into `directory/name` as a shared library and returns its path.
    /// `extraFlags` are appended (e.g. `["-m32"]` or `["-DSLOW=1"]`). `compiler` overrides
    /// ``compiler`` (e.g. `"clang"`, to check a reader against a second toolchain's output).
    @discardableResult
    public static func build(
        source: String,
        name: String,
        in directory: TemporaryDirectory,
        extraFlags: [String] = [],
        compiler: String? = nil
    ) throws -> String {
        let sourcePath = try directory.write(".src/\(name).c", source)
        let output = directory.url(name)
        let args = ["-std=c11", "-shared", "-fPIC", "-fvisibility=hidden", "-O1",
                    "-Wall", "-Wextra", "-Werror", "-I", sdkIncludeDirectory,
                    sourcePath, "-o", output] + extraFlags
        let result = try ProcessRunner.run(compiler ?? Self.compiler, args)
        guard result.status == 0 else {
            throw TestSupportError("cc failed for \(name) (\(result.status)):\n\(result.stderr)")
        }
        return output
    }

    /// A complete, valid plugin source with one node type that echoes its parameters.
    /// `metadata` replaces the whole metadata JSON when given.
    public static func echoPluginSource(
        id: String = "org.test.echo",
        nodeType: String = "test.echo",
        version: String = "1.0.0",
        metadata: String? = nil,
        abiMajor: Int = 1,
        abiMinor: Int = 0
    ) -> String {
        let json = metadata ?? validMetadata(id: id, nodeTypes: [nodeType], version: version)
        return """
        #include <plugin_host/plugin.h>
        #include <string.h>
        PH_PLUGIN_METADATA(\(cStringLiteral(json)));
        static ph_status echo_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; *state = 0; return PH_OK;
        }
        static ph_status echo_execute(void *state, ph_call *call) {
            (void)state; call->set_output(call, call->params_json, call->params_len); return PH_OK;
        }
        static void echo_shutdown(void *state) { (void)state; }
        static const ph_plugin plugin = { sizeof(ph_plugin), \(abiMajor), \(abiMinor),
            PH_PLUGIN_METADATA_JSON, echo_init, echo_execute, echo_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """
    }

    /// Strict-valid metadata JSON for a plugin with the given node types.
    public static func validMetadata(id: String, nodeTypes: [String], version: String = "1.0.0") -> String {
        let nodes = nodeTypes.map { type in
            """
            {"nodeType":"\(type)","version":"1.0.0","category":"test","description":"Echoes its parameters.",\
            "requiredFields":["value"],"schema":{"type":"object","properties":{"value":{"type":"number"}},\
            "required":["value"],"additionalProperties":false},"supportedVersions":[1]}
            """
        }.joined(separator: ",")
        return """
        {"id":"\(id)","name":"Test plugin","version":"\(version)","abi":"1.0",\
        "description":"A plugin built by the tests.","threadSafe":true,"dependencies":{},"nodes":[\(nodes)]}
        """
    }

    /// `text` as a C string literal (quotes, backslashes and control characters escaped).
    public static func cStringLiteral(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\n"): out += "\\n"
            case 0x20..<0x7F: out.append(Character(UnicodeScalar(byte)))
            default: out += String(format: "\\%03o", byte)
            }
        }
        return out + "\""
    }
}
