import PluginHostTestSupport
import Testing

/// examples/embed/host_demo.c, compiled with plain cc as its README says.
@Suite("Embedding: the C example", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct ExampleTests {
    private static let demo = Result {
        try CompiledProgram(name: "host_demo", sourceFile: CPluginBuilder.repositoryRoot + "/examples/embed/host_demo.c")
    }

    @Test("host_demo runs every step on the bundled plugins and exits 0")
    func runsEveryStep() throws {
        let result = try Self.demo.get().run([])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for heading in ["== scan", "== load", "== list", "== execute math.add", "== run", "== stats"] {
            #expect(result.stdout.contains("\n\(heading)\n"), "missing \(heading)")
        }
        #expect(result.stdout.contains("\"output\":{\"result\":5}"))
        #expect(result.stdout.contains("\"SUM IS FIVE\""))
        #expect(result.stdout.hasSuffix("done\n"))
    }

    @Test("host_demo with an empty plugin directory reports the failed execution and exits 1")
    func reportsFailure() throws {
        let directory = try TemporaryDirectory(prefix: "embed-demo-empty")
        let result = try Self.demo.get().run([directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ph_host_execute math.add failed with status 8"))
        #expect(result.stderr.contains("\"code\":\"NODE_TYPE_NOT_FOUND\""))
    }
}
