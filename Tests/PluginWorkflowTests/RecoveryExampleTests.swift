import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginWorkflow
import Testing

/// The recovery example end to end on the real host. Needs the demo plugin and the runtime's
/// recovery (they land together); skipped in a build without libph-demo.so.
@Suite(
    "examples/recovery.workflow.json", .enabled(if: BundledHost.hasDemoPlugin, "needs libph-demo.so (Plugins/demo)"),
    .disabled(if: BuildProducts.pluginsAreSanitized, "its Report node runs the Swift greeter: a sanitizer-built Swift plugin needs sanitizer symbols the test process does not export"))
struct RecoveryExampleTests {
    @Test("validates cleanly")
    func validates() throws {
        let report = HostWorkflows(host: try BundledHost.make(), tenant: nil).validate(try Examples.parsed("recovery"))
        #expect(report.problems.map(\.description) == [])
    }

    @Test("ends success with every recovery visible in the node results")
    func runs() async throws {
        let outcome = await HostWorkflows(host: try BundledHost.make(), tenant: nil).run(try Examples.parsed("recovery"))
        let result = try #require(outcome.result)
        #expect(result.status == .success)
        // Retries that succeed: two TRANSIENT_ERROR attempts, then success.
        #expect(result["Flaky"]?.status == .success)
        #expect(result["Flaky"]?.attempts.map(\.errorCode) == [.transientError, .transientError, nil])
        // Fallback: math.div by zero → math.add with the same parameters.
        #expect(result["Divide"]?.recoveryApplied == "fallback")
        #expect(result["Divide"]?.fallbackNodeType == "math.add")
        #expect(result["Divide"]?.output == ["result": 1])
        // Skip and continue.
        #expect(result["Broken"]?.status == .skipped)
        #expect(result["Broken"]?.recoveryApplied == "skip")
        #expect(result["PassThrough"]?.status == .success)
        #expect(result["PassThrough"]?.recoveryApplied == "continue")
        // Timeout on each of two attempts, then skip.
        #expect(result["TooSlow"]?.status == .skipped)
        #expect(result["TooSlow"]?.attempts.map(\.errorCode) == [.executionTimeout, .executionTimeout])
        #expect(result["Report"]?.output == ["result": "Hello, recovery!"])
    }
}
