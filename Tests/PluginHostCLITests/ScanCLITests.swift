import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host scan")
struct ScanCLITests {
    @Test("with no arguments lists the bundled example plugins as ok and exits 0")
    func scansBundledPlugins() throws {
        let (status, report, stderr) = try CLI.json(["scan", "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(report["hostAbi"] == "1.0")
        #expect(report["mode"] == "strict")
        for name in ["math", "string", "greeter", "demo", "hazard"] {
            let plugin = try #require(report.plugin(endingWith: "/libph-\(name).so"), "libph-\(name).so missing")
            #expect(plugin["status"] == "ok", "\(name): \(plugin)")
            #expect(plugin.problemCodes == [])
        }
        let math = try #require(report.plugin(endingWith: "/libph-math.so"))
        #expect(math["id"] == "org.plugin-host.math")
        #expect(math["nodes"] == ["math.add", "math.sub", "math.mul", "math.div"])
        #expect(report["summary"]?["rejected"] == 0)
        #expect(report["summary"]?["files"] == 5)
    }

    @Test("the human table shows each plugin's status, id and nodes")
    func humanTable() throws {
        let result = try CLI.run(["scan"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("STATUS") == true)
        #expect(lines.contains { $0.hasPrefix("ok") && $0.contains("org.plugin-host.math") && $0.contains("math.add,math.sub") })
        #expect(result.stdout.contains("5 files: 5 ok, 0 rejected, 0 warnings (strict"))
    }

    @Test("a hostile directory: every file reported with its code, nothing loaded, exit 1")
    func hostileDirectory() throws {
        let dir = try TemporaryDirectory()
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "good.so", in: dir)
        try dir.write("text.so", "this is not a library\n")
        let good = try Data(contentsOf: URL(fileURLWithPath: dir.url("good.so")))
        try dir.write("truncated.so", Array(good.prefix(200)))
        var otherMachine = Array(good)
        otherMachine[18] = 183; otherMachine[19] = 0  // e_machine: AArch64 (x86-64 on arm hosts below)
        #if arch(arm64)
        otherMachine[18] = 62
        #endif
        try dir.write("arm.so", otherMachine)
        try CPluginBuilder.build(source: "int plain(void) { return 1; }\n", name: "nometa.so", in: dir)
        try CPluginBuilder.build(
            source: CPluginBuilder.echoPluginSource(metadata: "{not json"), name: "badjson.so", in: dir)
        let huge = "{\"id\":\"org.test.huge\",\"pad\":\"" + String(repeating: "x", count: 300_000) + "\"}"
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: huge), name: "huge.so", in: dir)
        // A plugin whose constructor aborts: if the scan ever loaded it, the process would die.
        try CPluginBuilder.build(
            source: CPluginBuilder.echoPluginSource(id: "org.test.boom", nodeType: "test.boom")
                + "\n#include <stdlib.h>\n__attribute__((constructor)) static void boom(void) { abort(); }\n",
            name: "boom.so", in: dir)
        #expect(mkfifo(dir.url("fifo.so"), 0o644) == 0)
        #expect(symlink("loop-b.so", dir.url("loop-a.so")) == 0)
        #expect(symlink("loop-a.so", dir.url("loop-b.so")) == 0)
        try CPluginBuilder.build(
            source: CPluginBuilder.echoPluginSource(id: "org.test.open", nodeType: "test.open"), name: "writable.so", in: dir)
        chmod(dir.url("writable.so"), 0o666)
        try CPluginBuilder.build(
            source: CPluginBuilder.echoPluginSource(id: "org.test.noentry", nodeType: "test.noentry")
                .replacingOccurrences(of: "ph_plugin_entry(void) {", with: "ph_plugin_entri(void) {"),
            name: "noentry.so", in: dir)
        try CPluginBuilder.build(
            source: CPluginBuilder.echoPluginSource(
                metadata: CPluginBuilder.validMetadata(id: "org.test.future", nodeTypes: ["test.future"])
                    .replacingOccurrences(of: #""abi":"1.0""#, with: #""abi":"2.0""#)),
            name: "future.so", in: dir)
        #expect(symlink("good.so", dir.url("zz-alias.so")) == 0)

        let (status, report, stderr) = try CLI.json(["scan", "--json", dir.path])
        #expect(status == 1, "stderr: \(stderr)")
        let expected: [String: String] = [
            "text.so": "NOT_ELF", "truncated.so": "ELF_MALFORMED", "arm.so": "WRONG_ARCH",
            "nometa.so": "NO_METADATA", "badjson.so": "METADATA_NOT_JSON", "huge.so": "METADATA_TOO_LARGE",
            "fifo.so": "NOT_REGULAR_FILE", "loop-a.so": "SYMLINK_LOOP", "loop-b.so": "SYMLINK_LOOP",
            "writable.so": "UNSAFE_PERMISSIONS", "noentry.so": "ENTRY_MISSING", "future.so": "ABI_INCOMPATIBLE",
            "zz-alias.so": "DUPLICATE_FILE",
        ]
        for (file, code) in expected {
            let plugin = try #require(report.plugin(endingWith: "/" + file), "\(file) missing from the report")
            #expect(plugin["status"] == "rejected", "\(file)")
            #expect(plugin.problemCodes.contains(code), "\(file): expected \(code), got \(plugin.problemCodes)")
        }
        #expect(report.plugin(endingWith: "/good.so")?["status"] == "ok")
        #expect(report.plugin(endingWith: "/boom.so")?["status"] == "ok")
        #expect(report["summary"]?["files"] == .int(Int64(expected.count + 2)))
    }

    @Test("--loose accepts unknown keys as warnings; --strict rejects them")
    func looseVersusStrict() throws {
        let dir = try TemporaryDirectory()
        let metadata = #"{"id":"org.test.loose","version":"1.0.0","abi":"1.0","surprise":1,"nodes":[{"nodeType":"test.loose"}]}"#
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "loose.so", in: dir)
        let strict = try CLI.json(["scan", "--json", "--strict", dir.path])
        #expect(strict.status == 1)
        #expect(strict.value.plugin(endingWith: "/loose.so")?.problemCodes.contains("META_UNKNOWN_KEY") == true)
        let loose = try CLI.json(["scan", "--json", "--loose", dir.path])
        #expect(loose.status == 0)
        let plugin = try #require(loose.value.plugin(endingWith: "/loose.so"))
        #expect(plugin["status"] == "ok")
        #expect(plugin["problems"]?.arrayValue?.allSatisfy { $0["severity"] == "warning" } == true)
    }

    @Test("a missing directory is reported with DIRECTORY_NOT_FOUND and exit 1")
    func missingDirectory() throws {
        let result = try CLI.json(["scan", "--json", "/nonexistent/plugin-host-test-dir"])
        #expect(result.status == 1)
        #expect(result.value["problems"]?.arrayValue?.first?["code"] == "DIRECTORY_NOT_FOUND")
    }

    @Test("with no directory given, PLUGIN_HOST_PATH comes first, then the bundled plugins (--no-default-plugins: only it)")
    func environmentPath() throws {
        let dir = try TemporaryDirectory()
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "env.so", in: dir)
        let result = try CLI.json(["scan", "--json"], environment: ["PLUGIN_HOST_PATH": dir.path])
        #expect(result.status == 0)
        let paths = result.value["plugins"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        #expect(paths.first == dir.url("env.so"))
        #expect(paths.contains { $0.hasSuffix("/libph-math.so") })
        let alone = try CLI.json(["scan", "--json", "--no-default-plugins"], environment: ["PLUGIN_HOST_PATH": dir.path])
        #expect(alone.value["plugins"]?.arrayValue?.count == 1)
        #expect(alone.value.plugin(endingWith: "/env.so")?["status"] == "ok")
    }

    @Test("scan DIR scans exactly the directories it is given, not PLUGIN_HOST_PATH or the defaults")
    func givenDirectoriesOnly() throws {
        let dir = try TemporaryDirectory()
        let other = try TemporaryDirectory()
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "given.so", in: dir)
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "env.so", in: other)
        let result = try CLI.json(["scan", "--json", dir.path], environment: ["PLUGIN_HOST_PATH": other.path])
        #expect(result.value["plugins"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == [dir.url("given.so")])
    }

    @Test("usage errors exit 2 with a message on stderr")
    func usageErrors() throws {
        #expect(try CLI.run(["scan", "--max-depth", "-1"]).status == 2)
        #expect(try CLI.run(["scan", "--pattern", "a/b"]).status == 2)
        #expect(try CLI.run(["no-such-command"]).status == 2)
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("scan"))
    }
}
