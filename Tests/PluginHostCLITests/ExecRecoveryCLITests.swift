import PluginHostCore
import PluginHostTestSupport
import Testing

/// `exec --retry / --on-error / --fallback / --timeout-ms`: the recovery of one node from the
/// command line, read by the same rules as a workflow node's fields. Uses the bundled demo plugin.
@Suite("exec with recovery options")
struct ExecRecoveryCLITests {
    @Test("--retry retries a transient failure until it succeeds, and every attempt is in the result")
    func retriesUntilSuccess() throws {
        let run = try CLI.json([
            "exec", "demo.flaky", "--params", #"{"failures":2,"value":"hi"}"#,
            "--retry", #"{"maximumAttempts":3,"initialIntervalMs":1}"#, "--json",
        ])
        #expect(run.status == 0)
        #expect(run.value["status"] == "success")
        #expect(run.value["attempts"] == 3)
        #expect(run.value["output"]?["attempt"] == 3)
        let codes = run.value["attemptLog"]?.arrayValue?.map { $0["errorCode"] ?? .null }
        #expect(codes == ["TRANSIENT_ERROR", "TRANSIENT_ERROR", .null])
    }

    @Test("without --retry a transient failure is final: one attempt, exit 1")
    func noRetryByDefault() throws {
        let run = try CLI.json(["exec", "demo.flaky", "--params", #"{"failures":1}"#, "--json"])
        #expect(run.status == 1)
        #expect(run.value["errorCode"] == "TRANSIENT_ERROR")
        #expect(run.value["attempts"] == 1)
    }

    @Test("--timeout-ms stops waiting: EXECUTION_TIMEOUT, exit 1, long before the node would finish")
    func timeout() throws {
        let started = ContinuousClock.now
        let run = try CLI.json(["exec", "demo.slow", "--params", #"{"ms":10000}"#, "--timeout-ms", "100", "--json"])
        #expect(run.status == 1)
        #expect(run.value["errorCode"] == "EXECUTION_TIMEOUT")
        #expect(ContinuousClock.now - started < .seconds(8))
    }

    @Test("--on-error fallback runs the fallback node type with the same parameters")
    func fallback() throws {
        let run = try CLI.json([
            "exec", "demo.fail", "--params", #"{"message":"boom"}"#, "--on-error", "fallback", "--fallback", "demo.flaky", "--json",
        ])
        // demo.flaky does not accept `message`: the fallback fails validation, and the result says both.
        #expect(run.status == 1)
        #expect(run.value["fallbackNodeType"] == "demo.flaky")
        #expect(run.value["errorCode"] == "VALIDATION_FAILED")
        #expect(run.value["error"]?.stringValue?.contains("demo.fail failed") == true)
    }

    @Test("--on-error skip and continue turn the failure into skipped and a pass-through, exit 0")
    func skipAndContinue() throws {
        let skipped = try CLI.json(["exec", "demo.fail", "--params", "{}", "--on-error", "skip", "--json"])
        #expect(skipped.status == 0)
        #expect(skipped.value["status"] == "skipped")
        #expect(skipped.value["recoveryApplied"] == "skip")
        #expect(skipped.value["output"] == [])

        let continued = try CLI.json([
            "exec", "demo.fail", "--params", "{}", "--input", #"[{"x":1}]"#, "--on-error", "continue", "--json",
        ])
        #expect(continued.status == 0)
        #expect(continued.value["status"] == "success")
        #expect(continued.value["recoveryApplied"] == "continue")
        #expect(continued.value["output"] == [["x": 1]])
    }

    @Test("a malformed recovery option is a usage error naming RECOVERY_INVALID, exit 2, and nothing runs")
    func invalidRecovery() throws {
        let zero = try CLI.run(["exec", "demo.fail", "--params", "{}", "--retry", #"{"maximumAttempts":0}"#])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("RECOVERY_INVALID"))
        let noTarget = try CLI.run(["exec", "demo.fail", "--params", "{}", "--on-error", "fallback"])
        #expect(noTarget.status == 2)
        #expect(noTarget.stderr.contains("fallbackNodeType"))
        let notJSON = try CLI.run(["exec", "demo.fail", "--params", "{}", "--retry", "three"])
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.contains("--retry is not valid JSON"))
    }
}
