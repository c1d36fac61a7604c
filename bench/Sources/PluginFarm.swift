import Foundation
import PluginHostCore

/// Generates many distinct plugin files cheaply: compiles one plugin with `cc`, then writes
/// copies whose plugin id and node type differ by a fixed-width serial number patched into the
/// bytes (same length, so no offset in the ELF moves). Distinct ids and inodes make every copy a
/// real, separate plugin for both the scanner and `dlopen`.
struct PluginFarm {
    /// The directory holding the copies.
    let directory: String
    let count: Int

    /// The serial placeholder compiled into the template: exactly 6 characters.
    private static let placeholder = "S00000"

    /// Builds the template once into `workDirectory/template.so`.
    static func compileTemplate(in workDirectory: String) throws -> [UInt8] {
        let id = "org.bench.p\(placeholder.lowercased())"
        let nodeType = "bench.p\(placeholder.lowercased()).run"
        let metadata = """
            {"id":"\(id)","name":"Bench plugin","version":"1.0.0","abi":"1.0","author":"bench","license":"MIT",\
            "description":"Generated for the scan and load benchmarks.","threadSafe":true,"dependencies":{},\
            "nodes":[{"nodeType":"\(nodeType)","version":"1.0.0","category":"bench","description":"Echoes.",\
            "requiredFields":["value"],"schema":{"type":"object","properties":{"value":{"type":"number"}},\
            "required":["value"],"additionalProperties":false},"supportedVersions":[1],"tags":["bench"]}]}
            """
        let escaped = metadata.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let source = """
            #define _POSIX_C_SOURCE 200809L
            #include <plugin_host/plugin.h>
            #include <plugin_host/params.h>
            #include <string.h>
            #include <time.h>
            PH_PLUGIN_METADATA("\(escaped)");
            /* init sleeps for the configured {"delayMs": N}, for the init-scheduling benchmark. */
            static ph_status b_init(const ph_host_api *h, const char *c, void **s) {
                int64_t ms = 0; (void)h;
                if (ph_json_get_int64(c, strlen(c), "delayMs", &ms) == PH_JSON_OK && ms > 0) {
                    struct timespec t = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
                    nanosleep(&t, 0);
                }
                *s = 0; return PH_OK;
            }
            static ph_status b_execute(void *s, ph_call *call) { (void)s; call->set_output(call, "{\\"result\\":1}", 12); return PH_OK; }
            static void b_shutdown(void *s) { (void)s; }
            static const ph_plugin plugin = { sizeof(ph_plugin), 1, 0, PH_PLUGIN_METADATA_JSON, b_init, b_execute, b_shutdown };
            PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
            """
        let sourcePath = workDirectory + "/template.c"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let output = workDirectory + "/template.so"
        try compilePlugin(source: sourcePath, output: output)
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// Compiles one C plugin with plain `cc` (no Swift runtime in it), as the SDK tells plugin
    /// authors to, at -O2.
    static func compilePlugin(source: String, output: String) throws {
        let (status, _) = try runProgram("/usr/bin/env", [
            "cc", "-std=c11", "-shared", "-fPIC", "-fvisibility=hidden", "-O2",
            "-I", PackagePaths.sdkInclude, source, "-o", output, "-lm",
        ])
        guard status == 0 else { throw BenchError("cc failed building \(source)") }
    }

    /// Writes `count` copies numbered from `firstSerial` into `directory` (created 0755).
    init(template: [UInt8], directory: String, count: Int, firstSerial: Int) throws {
        self.directory = directory
        self.count = count
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let needle = Array(Self.placeholder.lowercased().utf8)
        let offsets = Self.occurrences(of: needle, in: template)
        guard !offsets.isEmpty else { throw BenchError("placeholder not found in the template plugin") }
        for index in 0..<count {
            let serial = firstSerial + index
            let digits = String(serial)
            let tag = Array(("s" + String(repeating: "0", count: 5 - digits.count) + digits).utf8)
            var bytes = template
            for offset in offsets { bytes.replaceSubrange(offset..<offset + tag.count, with: tag) }
            let path = directory + "/libbench\(serial).so"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
                throw BenchError("could not write \(path)")
            }
        }
    }

    var paths: [String] { Self.paths(in: directory) }

    /// The plugin files of a farm directory, sorted.
    static func paths(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".so") }.sorted()
            .map { directory + "/" + $0 } ?? []
    }

    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        var found: [Int] = []
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
