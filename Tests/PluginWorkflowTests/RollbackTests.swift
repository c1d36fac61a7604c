import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginRuntime
import PluginWorkflow
import Testing

/// Rollback by compensation on the bundled plugins: the three strategies, a compensation that
/// fails, `$ref`s to outputs, validation of declarations, cancellation, the trace and journal.
@Suite("Workflows: rollback by compensation", .enabled(if: BundledHost.hasDemoPlugin))
struct RollbackTests {
    /// The order saga of `examples/rollback.workflow.json` under `strategy`.
    static func saga(_ strategy: String) throws -> ParsedWorkflow {
        var parsed = try Examples.parsed("rollback")
        parsed.workflow.settings.rollback = .string(strategy)
        return parsed
    }

    static func run(_ parsed: ParsedWorkflow, tracer: TraceRecorder? = nil, journaling: RunJournaling? = nil,
                    cancellation: CancellationFlag = CancellationFlag()) async throws -> WorkflowRunResult {
        let outcome = await HostWorkflows(host: try BundledHost.make(), tenant: nil).run(
            parsed, tracer: tracer, journaling: journaling, cancellation: cancellation)
        return try #require(outcome.result, "\(outcome.validation.problems)")
    }

    @Test("automatic: the example ends rolledBack, compensations in reverse order with their $refs resolved")
    func automatic() async throws {
        let result = try await Self.run(try Self.saga("automatic"))
        #expect(result.status == .rolledBack)
        #expect(result["ChargeCard"]?.status == .error)
        #expect(result["Ship"]?.status == .cancelled)
        let rollback = try #require(result.rollback)
        #expect(rollback.strategy == .automatic && rollback.status == .rolledBack)
        #expect(rollback.compensations.map(\.name) == ["ReserveStock", "CreateOrder"], "the failed node is not undone")
        #expect(rollback.compensations[0].result.output == ["result": 100])
        #expect(rollback.compensations[1].result.output == ["result": "cancelled order-1042"])
        #expect(rollback.plan.map(\.after) == [[], ["ReserveStock"]])
        #expect(rollback.plan[0].parameters == ["a": 97, "b": 3])
        #expect(rollback.plan[0].input == [["result": 97]], "a compensation gets the undone node's output as input")
        let json = result.json()
        #expect(json["status"] == "rolledBack")
        #expect(json["rollback"]?["compensations"]?["CreateOrder"]?["status"] == "success")
        #expect(json["rollback"]?["notUndone"] == [])
    }

    @Test("a compensation that still fails after its retries: rollbackFailed, named; the others run anyway")
    func partialFailure() async throws {
        let parsed = ParsedWorkflow.from(#"""
            { "name": "partial", "settings": { "rollback": "automatic", "concurrency": 2 },
              "nodes": [
                { "name": "A", "type": "math.add", "parameters": { "a": 1, "b": 1 },
                  "compensation": { "type": "math.sub", "parameters": { "a": { "$ref": "A#/result" }, "b": 1 } } },
                { "name": "B", "type": "math.add", "parameters": { "a": 2, "b": 2 },
                  "compensation": { "type": "demo.fail", "parameters": { "message": "cannot undo B", "transient": true },
                                    "retry": { "maximumAttempts": 2, "initialIntervalMs": 1 } } },
                { "name": "C", "type": "demo.fail", "parameters": { "message": "boom" } } ],
              "connections": { "A": { "main": [[ { "node": "B", "type": "main", "index": 0 } ]] },
                               "B": { "main": [[ { "node": "C", "type": "main", "index": 0 } ]] } } }
            """#)
        let result = try await Self.run(parsed)
        #expect(result.status == .rollbackFailed)
        let rollback = try #require(result.rollback)
        #expect(rollback.notUndone == ["B"])
        let compensations = Dictionary(uniqueKeysWithValues: rollback.compensations.map { ($0.name, $0.result) })
        #expect(compensations["B"]?.attempts.count == 2, "its own retry policy")
        #expect(compensations["A"]?.status == .success, "A is undone even though B could not be, though A waited for it")
        #expect(compensations["A"]?.output == ["result": 1])
    }

    @Test("manual: degraded with the plan; running the plan later rolls back; none: failed with no rollback")
    func manualAndNone() async throws {
        let degraded = try await Self.run(try Self.saga("manual"))
        #expect(degraded.status == .degraded)
        let rollback = try #require(degraded.rollback)
        #expect(rollback.status == .planned && rollback.compensations.isEmpty)
        #expect(rollback.plan.map(\.node) == ["ReserveStock", "CreateOrder"])
        // The plan as a saved result holds it, read back and run.
        let saved = try #require(degraded.json()["rollback"]?["plan"]?.arrayValue)
        let plan = try saved.map { try PlannedCompensation(json: $0) }
        #expect(plan == rollback.plan)
        let later = await HostWorkflows(host: try BundledHost.make(), tenant: nil).rollback(plan, workflowName: "order-saga", concurrency: 2)
        #expect(later.status == .rolledBack)
        #expect(later.compensations.map(\.name) == ["ReserveStock", "CreateOrder"])

        let failed = try await Self.run(try Self.saga("none"))
        #expect(failed.status == .failed)
        #expect(failed.rollback == nil)
        #expect(failed.json()["rollback"] == .null)
    }

    @Test("a manual plan run later with a compensation that fails: rollbackFailed, the rest undone")
    func manualPartialFailure() async throws {
        let degraded = try await Self.run(try Self.saga("manual"))
        var plan = try #require(degraded.rollback?.plan)
        // The order service refuses to release the stock this time (the compensation fails twice).
        plan[0].type = "demo.fail"
        plan[0].parameters = ["message": "stock service down", "transient": true]
        plan[0].retry = ["maximumAttempts": 2, "initialIntervalMs": 1]
        let later = await HostWorkflows(host: try BundledHost.make(), tenant: nil).rollback(plan, workflowName: "order-saga", concurrency: 2)
        #expect(later.status == .rollbackFailed)
        #expect(later.notUndone == ["ReserveStock"])
        #expect(later.compensations.first { $0.name == "ReserveStock" }?.result.attempts.count == 2)
        #expect(later.compensations.first { $0.name == "CreateOrder" }?.result.output == ["result": "cancelled order-1042"])
    }

    @Test("a run that succeeds has nothing to roll back")
    func success() async throws {
        var parsed = try Self.saga("automatic")
        parsed.workflow.nodes[2] = WorkflowNode(name: "ChargeCard", type: "demo.echo")
        let result = try await Self.run(parsed)
        #expect(result.status == .success)
        #expect(result.rollback == nil)
    }

    @Test("validation: malformed declarations and settings, unknown types, bad parameters and $refs not upstream")
    func validation() throws {
        let parsed = ParsedWorkflow.from(#"""
            { "name": "bad", "settings": { "rollback": "sometimes" },
              "nodes": [
                { "name": "NotObject", "type": "math.add", "parameters": { "a": 1, "b": 1 }, "compensation": "undo" },
                { "name": "NoType", "type": "math.add", "parameters": { "a": 1, "b": 1 }, "compensation": { "parameters": {} } },
                { "name": "Extra", "type": "math.add", "parameters": { "a": 1, "b": 1 }, "compensation": { "type": "math.sub", "undo": true } },
                { "name": "Unknown", "type": "math.add", "parameters": { "a": 1, "b": 1 }, "compensation": { "type": "math.undo" } },
                { "name": "BadParams", "type": "math.add", "parameters": { "a": 1, "b": 1 },
                  "compensation": { "type": "math.sub", "parameters": { "a": "x", "b": 1 } } },
                { "name": "Early", "type": "math.add", "parameters": { "a": 1, "b": 1 },
                  "compensation": { "type": "math.sub", "parameters": { "a": { "$ref": "Late#/result" }, "b": 1 } } },
                { "name": "Late", "type": "math.add", "parameters": { "a": 1, "b": 1 },
                  "compensation": { "type": "math.sub", "parameters": { "a": { "$ref": "Early#/result" }, "b": { "$ref": "Late#/result" } } } } ],
              "connections": { "Early": { "main": [[ { "node": "Late", "type": "main", "index": 0 } ]] } } }
            """#)
        let report = HostWorkflows(host: try BundledHost.make(), tenant: nil).validate(parsed)
        let pairs = report.problems.map { [$0.code.rawValue, $0.node ?? "-"] }
        #expect(pairs.contains(["COMPENSATION_INVALID", "-"]), "settings.rollback")
        #expect(pairs.contains(["COMPENSATION_INVALID", "NotObject"]))
        #expect(pairs.contains(["COMPENSATION_INVALID", "NoType"]))
        #expect(pairs.contains(["COMPENSATION_INVALID", "Extra"]))
        #expect(pairs.contains(["NODE_TYPE_NOT_FOUND", "Unknown"]))
        #expect(pairs.contains(["VALIDATION_FAILED", "BadParams"]))
        #expect(pairs.contains(["REF_NOT_UPSTREAM", "Early"]))
        #expect(!pairs.contains { $0[1] == "Late" }, "its own output and an ancestor's are fine: \(report.problems)")
        #expect(report.problems.first { $0.node == "BadParams" }?.message.contains("compensation") == true)
    }

    @Test("a run cancelled from outside still rolls back what it did")
    func cancelledThenRolledBack() async throws {
        let parsed = ParsedWorkflow.from(#"""
            { "name": "cancel-and-undo", "settings": { "rollback": "automatic" },
              "nodes": [
                { "name": "A", "type": "math.add", "parameters": { "a": 1, "b": 1 },
                  "compensation": { "type": "math.sub", "parameters": { "a": { "$ref": "A#/result" }, "b": 2 } } },
                { "name": "Slow", "type": "demo.slow", "parameters": { "ms": 30000 } },
                { "name": "After", "type": "math.add", "parameters": { "a": 1, "b": 1 } } ],
              "connections": { "A": { "main": [[ { "node": "Slow", "type": "main", "index": 0 } ]] },
                               "Slow": { "main": [[ { "node": "After", "type": "main", "index": 0 } ]] } } }
            """#)
        let cancellation = CancellationFlag()
        let (stream, observer) = RunEvent.stream()
        let host = try BundledHost.make()
        let run = Task {
            await HostWorkflows(host: host, tenant: nil).run(parsed, cancellation: cancellation, events: observer)
        }
        for await event in stream {
            if case .nodeStarted(let node, _, _) = event, node == "Slow" {
                try await Task.sleep(nanoseconds: 20_000_000)
                cancellation.cancel()
                break
            }
        }
        let result = try #require(await run.value.result)
        #expect(result.status == .rolledBack)
        #expect(result["Slow"]?.errorCode == .cancelled)
        #expect(result["After"]?.status == .cancelled)
        #expect(result.rollback?.compensations.map(\.name) == ["A"])
        #expect(result.rollback?.compensations.first?.result.output == ["result": 0])
    }

    @Test("compensations draw in rollback lanes of the trace and are journaled; a resumed rollback does not redo them")
    func traceAndJournal() async throws {
        let tracer = TraceRecorder()
        let journal = InMemoryJournal()
        let result = try await Self.run(try Self.saga("automatic"), tracer: tracer, journaling: RunJournaling(journal: journal, version: "1"))
        #expect(result.status == .rolledBack)
        let undo = tracer.events.filter { $0.nodeType == "math.add" || ($0.nodeName == "CreateOrder" && $0.nodeType == "string.concat" && $0.lane >= 2) }
        #expect(undo.count == 2 && undo.allSatisfy { $0.lane >= 2 }, "\(tracer.events.map { ($0.nodeName, $0.lane) })")
        let laneNames = tracer.chromeTraceJSON()["traceEvents"]?.arrayValue?.compactMap { $0["args"]?["name"]?.stringValue } ?? []
        #expect(laneNames.contains("rollback 1"))

        let entries = try journal.entries()
        let undone = entries.compactMap { entry -> String? in
            if case .compensationFinished(let node, _) = entry { return node } else { return nil }
        }
        #expect(Set(undone) == ["ReserveStock", "CreateOrder"])
        guard case .runFinished(let status, _)? = entries.last else { Issue.record("no runFinished last"); return }
        #expect(status == "rolledBack")
        // Resumed: everything replayed, the rollback's results too; nothing runs again.
        let replay = try JournalReplay(entries: entries)
        #expect(replay.compensations.count == 2)
        let again = try await Self.run(
            try Self.saga("automatic"), journaling: RunJournaling(journal: InMemoryJournal(entries: entries), version: "1", replay: replay))
        #expect(again.status == .rolledBack)
        #expect(again.rollback?.compensations.map { $0.result.executionID } == result.rollback?.compensations.map { $0.result.executionID })
    }
}
