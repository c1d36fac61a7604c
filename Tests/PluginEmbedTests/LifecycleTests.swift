import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_create / ph_host_destroy / ph_version / ph_free through the built library.
@Suite("Embedding: creating and destroying hosts", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct LifecycleTests {
    @Test("ph_version names the host release and ABI, in static storage")
    func version() throws {
        let calls = try EmbedDriver.run(["version"])
        #expect(calls[0].doc == "0.1.0 (ABI 1.0)")
        #expect(calls[0].line.contains("\"same\":true"))
    }

    @Test("NULL options create a host with every default and clear out_error")
    func createWithDefaults() throws {
        let calls = try EmbedDriver.run(["create", "@null", "destroy"])
        #expect(calls[0].status == Status.ok)
        #expect(calls[0].error == nil)
    }

    @Test("every documented option is accepted")
    func createWithEveryOption() throws {
        let options = #"{"pluginPath":["/nonexistent"],"mode":"loose","initConcurrency":2,"initTimeoutMs":100,"policy":{"tenants":[{"tenantId":"acme"}]}}"#
        let calls = try EmbedDriver.run(["create", options])
        #expect(calls[0].status == Status.ok, "\(calls[0])")
    }

    @Test("malformed options JSON is INVALID_ARGUMENT and no handle")
    func malformedOptions() throws {
        let calls = try EmbedDriver.run(["create", "{\"mode\":"])
        #expect(calls[0].status == Status.invalidArgument)
        #expect(calls[0].errorCode == "INVALID_ARGUMENT")
        #expect(calls[0].error?["message"]?.stringValue?.hasPrefix("options_json is not valid JSON") == true)
    }

    @Test("options that are not an object are INVALID_ARGUMENT")
    func optionsNotObject() throws {
        let calls = try EmbedDriver.run(["create", "[]"])
        #expect(calls[0].errorCode == "INVALID_ARGUMENT")
        #expect(calls[0].error?["message"] == "options_json must be a JSON object, not array")
    }

    @Test("an unknown option key is INVALID_ARGUMENT naming it")
    func unknownOptionKey() throws {
        let calls = try EmbedDriver.run(["create", #"{"initTimoutMs":10}"#])
        #expect(calls[0].status == Status.invalidArgument)
        #expect(calls[0].error?["message"]?.stringValue?.contains("unknown key \"initTimoutMs\"") == true)
    }

    @Test("option values of the wrong type or range are INVALID_ARGUMENT", arguments: [
        #"{"mode":"fast"}"#, #"{"mode":1}"#, #"{"initConcurrency":0}"#, #"{"initConcurrency":2.5}"#,
        #"{"initTimeoutMs":-1}"#, #"{"pluginPath":"/tmp"}"#, #"{"pluginPath":[""]}"#, #"{"pluginPath":[3]}"#,
        #"{"policy":[]}"#,
    ])
    func badOptionValue(options: String) throws {
        let calls = try EmbedDriver.run(["create", options])
        #expect(calls[0].status == Status.invalidArgument, "\(calls[0])")
        #expect(calls[0].errorCode == "INVALID_ARGUMENT")
    }

    @Test("an invalid policy option is POLICY_INVALID with the reader's reasons")
    func invalidPolicyOption() throws {
        let calls = try EmbedDriver.run(["create", #"{"policy":{"tenants":[{"tenantId":"acme","colour":"red"}]}}"#])
        #expect(calls[0].status == Status.invalidArgument)
        #expect(calls[0].errorCode == "POLICY_INVALID")
        #expect(calls[0].error?["message"]?.stringValue?.contains("colour") == true)
    }

    @Test("a NULL out_host is INVALID_ARGUMENT (the handle could not be returned)")
    func nullOutHost() throws {
        let calls = try EmbedDriver.run(["create-no-out", "@null"])
        #expect(calls[0].status == Status.invalidArgument)
        #expect(calls[0].error?["message"]?.stringValue?.hasPrefix("out_host is NULL") == true)
    }

    @Test("a NULL handle is INVALID_ARGUMENT for every function, with no document", arguments: [
        "scan", "load", "list", "exec", "run", "policy", "stats",
    ])
    func nullHandle(function: String) throws {
        let calls = try EmbedDriver.run(["null-host", function])
        #expect(calls[0].status == Status.invalidArgument)
        #expect(calls[0].errorCode == "INVALID_ARGUMENT")
        #expect(calls[0].error?["message"]?.stringValue?.hasPrefix("host is NULL") == true)
        #expect(calls[0].doc == nil)
    }

    @Test("a destroyed handle is INVALID_ARGUMENT, not a crash")
    func destroyedHandle() throws {
        let calls = try EmbedDriver.run(["create", "@null", "destroy", "list", "exec", "@null", "math.add", "{}", "@null"])
        #expect(calls[2].status == Status.invalidArgument)
        #expect(calls[2].error?["message"]?.stringValue?.hasPrefix("host is not a live handle") == true)
        #expect(calls[3].status == Status.invalidArgument)
    }

    @Test("ph_host_destroy(NULL) and ph_free(NULL) are no-ops")
    func nullDestroyAndFree() throws {
        let calls = try EmbedDriver.run(["null-host", "destroy", "free-null"])
        #expect(calls.map(\.op) == ["null-host", "free-null"])
    }

    @Test("two handles in one process work independently")
    func twoHandles() throws {
        let calls = try EmbedDriver.run([
            "create", "@null", "exec", "@null", "math.add", #"{"a":1,"b":1}"#, "@null", "destroy",
            "create", "@null", "exec", "@null", "math.mul", #"{"a":3,"b":4}"#, "@null",
        ])
        #expect(calls[1].doc?["output"] == ["result": 2])
        #expect(calls[4].doc?["output"] == ["result": 12])
    }

    /// A directory holding only a plugin that journals its init and shutdown, and the options
    /// of a host that sees only it.
    private func recorder() throws -> (TemporaryDirectory, journal: String, options: String) {
        let dir = try TemporaryDirectory(prefix: "embed-lifecycle")
        let journal = dir.url("journal")
        try CPluginBuilder.build(
            source: CPluginBuilder.lifecycleRecorderSource(id: "org.test.recorder", nodeType: "test.recorder", journal: journal),
            name: "recorder.so", in: dir)
        return (dir, journal, JSONWriter.string(["pluginPath": [.string(dir.path)], "defaultPlugins": false]))
    }

    @Test("destroying the last handle shuts every plugin down once; a later handle initializes them again")
    func shutdownWithTheLastHandle() throws {
        let (dir, journal, options) = try recorder()
        defer { withExtendedLifetime(dir) {} }
        let once = ["create", options, "exec", "@null", "test.recorder", #"{"value":1}"#, "@null", "destroy"]
        let calls = try EmbedDriver.run(once + once)
        #expect(calls[1].status == Status.ok && calls[4].status == Status.ok, "\(calls)")
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines == ["init org.test.recorder", "shutdown org.test.recorder", "init org.test.recorder", "shutdown org.test.recorder"])
    }

    @Test("while a handle is alive at exit, plugins are not shut down (embed.h says so)")
    func noShutdownWithALiveHandle() throws {
        let (dir, journal, options) = try recorder()
        defer { withExtendedLifetime(dir) {} }
        _ = try EmbedDriver.run(["create", options, "exec", "@null", "test.recorder", #"{"value":1}"#, "@null"])
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "init org.test.recorder\n")
    }
}
