import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// A plugin that calls exit() inside a program embedding libplugin_host.so, in process: the
/// program ends with 70 and a line naming the plugin and node, not with the plugin's status 0.
@Suite("Embedding: a plugin's exit() in process", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct PluginExitTests {
    @Test("ph_host_execute of hazard.exit in process ends the program with 70 and an EXECUTION_CRASHED line")
    func executeExit() throws {
        let result = try EmbedDriver.runProcess(["create", "@null", "exec", "@null", "hazard.exit", #"{"status":0}"#, "@null"])
        #expect(result.status == 70, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stderr.contains(
            #"plugin-host (libplugin_host.so): EXECUTION_CRASHED: plugin org.plugin-host.hazard called exit(0) during node hazard.exit; the host stops because a plugin ended the process. Create the host with the option "isolation": "process" to contain it."#),
            "\(result.stderr)")
    }

    @Test("with isolation the same call is EXECUTION_CRASHED and the program goes on to exit 0")
    func isolatedExit() throws {
        let calls = try EmbedDriver.run([
            "create", #"{"isolation":"process"}"#, "exec", "@null", "hazard.exit", #"{"status":0}"#, "@null",
            "exec", "@null", "math.add", #"{"a":1,"b":2}"#, "@null",
        ])
        #expect(calls[1].errorCode == "EXECUTION_CRASHED", "\(calls[1])")
        #expect(calls[2].doc?["output"] == ["result": 3])
    }
}
