import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_scan then ph_host_load loads exactly what the scan checked: a plugin directory
/// swapped for a symbolic link in between is refused, and the swapped-in code never runs.
@Suite("Embedding: the load checks what the scan saw", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct ScanThenLoadTests {
    @Test("a plugin directory swapped for a symlink between scan and load is PLUGIN_CHANGED; nothing of the other copy runs")
    func directorySwappedForSymlink() throws {
        let root = try TemporaryDirectory(prefix: "embed-swap")
        let plugins = root.url("plugins"), elsewhere = root.url("elsewhere"), marker = root.url("constructor-ran")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("math"), toPath: plugins + "/libmath.so")
        // The impostor: the same metadata would not help it, its constructor proves whether it ran.
        let source = CPluginBuilder.echoPluginSource(id: "org.test.impostor", nodeType: "math.add") + """

            #include <stdio.h>
            __attribute__((constructor)) static void planted(void) {
                FILE *file = fopen(\(CPluginBuilder.cStringLiteral(marker)), "w");
                if (file) fclose(file);
            }
            """
        let built = try TemporaryDirectory(prefix: "embed-impostor")
        let impostor = try CPluginBuilder.build(source: source, name: "libmath.so", in: built)
        try FileManager.default.copyItem(atPath: impostor, toPath: elsewhere + "/libmath.so")
        let link = root.url("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)

        let calls = try EmbedDriver.run(["create", #"{"defaultPlugins":false}"#, "scan", JSONWriter.string([.string(plugins)]),
                                         "rename", plugins, root.url("old"), "rename", link, plugins, "load", "list"])
        #expect(calls[1].doc?["plugins"]?.arrayValue?.first?["status"] == "ok")
        #expect(calls[2].status == 0 && calls[3].status == 0, "\(calls)")
        #expect(calls[4].line.contains("PLUGIN_CHANGED"), "\(calls[4])")
        #expect(calls[4].doc?["totals"]?["initialized"] == 0)
        #expect(calls[5].doc == .array([]))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
