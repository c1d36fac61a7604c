import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginWorkflow
import Synchronization
import Testing

/// A run's journal (``ExecutionJournal``): what it records and in which order, resuming from
/// it, a journal that fails, and the file journal's form on disk.
@Suite("Workflow runs: journal and resume")
struct WorkflowJournalTests {
    /// Each node outputs its input's first item plus one (a root: 1), so results depend on
    /// the order being right.
    static func counting() -> FakeExecutor {
        FakeExecutor { _, _, input in
            FakeExecutor.Outcome(output: [.int((input.arrayValue?.first?.intValue ?? 0) + 1)])
        }
    }

    static func journaled(_ workflow: Workflow, _ executor: any WorkflowNodeExecutor, journal: any ExecutionJournal,
                          version: String = "v1", replay: JournalReplay? = nil, concurrency: Int = 2) async throws -> WorkflowRunResult {
        try await WorkflowRunner(
            workflow: workflow, executor: executor, concurrency: concurrency,
            journaling: RunJournaling(journal: journal, version: version, replay: replay)).run()
    }

    @Test("entries: the start, every node started before it finished and after its parents finished, the end")
    func entryOrder() async throws {
        let journal = InMemoryJournal()
        let workflow = Graphs.layered(layers: 5, width: 6)
        let result = try await Self.journaled(workflow, LaneExecutor(Self.counting()), journal: journal)
        #expect(result.status == .success)
        let entries = try journal.entries()
        guard case .runStarted(let start)? = entries.first else { Issue.record("no runStarted first"); return }
        #expect(start.workflowName == "layered" && start.version == "v1" && start.nodeCount == 30)
        guard case .runFinished(let status, _)? = entries.last else { Issue.record("no runFinished last"); return }
        #expect(status == "success")
        var startedAt: [String: Int] = [:], finishedAt: [String: Int] = [:], ids: [String: ExecutionID] = [:]
        for (position, entry) in entries.enumerated() {
            switch entry {
            case .nodeStarted(let node, let id):
                #expect(startedAt[node] == nil, "\(node) started twice")
                startedAt[node] = position
                ids[node] = id
            case .nodeFinished(let node, let result):
                finishedAt[node] = position
                #expect(result.status == .success)
            default: break
            }
        }
        #expect(startedAt.count == 30 && finishedAt.count == 30)
        #expect(Set(ids.values).count == 30, "every node has its own execution id")
        let graph = WorkflowGraph(workflow)
        for edge in workflow.edges {
            #expect(finishedAt[edge.from]! < startedAt[edge.to]!, "\(edge.to) started before \(edge.from) finished")
        }
        #expect(graph.nodeCount == 30)
        for (node, started) in startedAt { #expect(started < finishedAt[node]!) }
    }

    @Test("resume: nodes with a result are not run again, started ones run again with their execution id")
    func resume() async throws {
        let workflow = Graphs.layered(layers: 6, width: 5)
        let full = InMemoryJournal()
        let reference = try await Self.journaled(workflow, LaneExecutor(Self.counting()), journal: full)
        let entries = try full.entries()
        // The process "died" after 40 entries: some nodes finished, some only started.
        let crashed = Array(entries.prefix(40))
        let replay = try JournalReplay(entries: crashed)
        #expect(replay.finishedStatus == nil)
        #expect(!replay.finished.isEmpty && !replay.startedOnly.isEmpty, "\(replay.finished.count) \(replay.startedOnly.count)")
        let resumedJournal = InMemoryJournal(entries: crashed)
        let fake = Self.counting()
        let resumed = try await Self.journaled(workflow, LaneExecutor(fake), journal: resumedJournal, replay: replay)
        #expect(resumed.status == .success)
        // Every node's output is what the uninterrupted run computed.
        for (name, result) in reference.nodes { #expect(resumed[name]?.output == result.output, "\(name)") }
        // Nothing that had finished ran again; everything else ran once.
        let ran = fake.calledNodes
        #expect(Set(ran).count == ran.count)
        #expect(Set(ran) == Set(workflow.nodes.map(\.name)).subtracting(replay.finished.keys))
        for (name, id) in replay.startedOnly {
            #expect(fake.call(name)?.executionID == id, "\(name) must run again under its journaled id")
        }
        // The resumed journal reads back as one finished run.
        let final = try JournalReplay(entries: try resumedJournal.entries())
        #expect(final.finished.count == 30 && final.startedOnly.isEmpty && final.resumes == 1 && final.finishedStatus == "success")
    }

    @Test("a node's result is written with its lane's next start, in one append; a lane's last result before it ends")
    func resultsGoWithTheNextStart() async throws {
        let chained = BatchRecordingJournal()
        let result = try await Self.journaled(Graphs.chain(3), LaneExecutor(Self.counting()), journal: chained, concurrency: 1)
        #expect(result.status == .success)
        #expect(chained.batches == [["runStarted"], ["nodeStarted n0"], ["nodeFinished n0", "nodeStarted n1"],
                                    ["nodeFinished n1", "nodeStarted n2"], ["nodeFinished n2", "runFinished"]])

        // Two roots: `fast`'s lane has nothing more to run while `slow` still runs, so it writes
        // fast's result itself: `slow` sees it in the journal before it returns.
        let parallel = BatchRecordingJournal()
        let seen = Atomic<Bool>(false)
        let executor = LaneExecutor(FakeExecutor { name, _, _ in
            // `fast` ends once `slow` runs on the other lane; `slow` waits for fast's result.
            let awaited = name == "fast" ? "nodeStarted slow" : "nodeFinished fast"
            let deadline = WallClock.monotonicNanoseconds() + 5_000_000_000
            while WallClock.monotonicNanoseconds() < deadline {
                if parallel.batches.joined().contains(awaited) {
                    if name == "slow" { seen.store(true, ordering: .relaxed) }
                    break
                }
                usleep(1_000)
            }
            return FakeExecutor.Outcome(output: [1])
        })
        let roots = Workflow(name: "roots", nodes: [Graphs.node("fast"), Graphs.node("slow")], edges: [])
        #expect(try await Self.journaled(roots, executor, journal: parallel, concurrency: 2).status == .success)
        let sawFast = seen.load(ordering: .relaxed)
        #expect(sawFast, "fast's result waited for the run's next append: \(parallel.batches)")
        #expect(parallel.batches.last?.last == "runFinished")
    }

    @Test("a journal of another workflow version is refused with JOURNAL_INVALID and nothing runs")
    func wrongVersion() async throws {
        let workflow = Graphs.chain(5)
        let journal = InMemoryJournal()
        _ = try await Self.journaled(workflow, LaneExecutor(Self.counting()), journal: journal)
        let replay = try JournalReplay(entries: try journal.entries())
        let fake = Self.counting()
        let result = try await Self.journaled(workflow, LaneExecutor(fake), journal: InMemoryJournal(), version: "v2", replay: replay)
        #expect(result.status == .failed)
        #expect(result.problems.map(\.code) == [.journalInvalid])
        #expect(result.problems.first?.message.contains("version v1") == true)
        #expect(fake.calls.isEmpty)
        #expect(result.nodes.allSatisfy { $0.result.status == .cancelled })
    }

    @Test("a journal that cannot record a node's start stops the run: JOURNAL_FAILED, the rest not run")
    func failingJournal() async throws {
        let journal = FailingJournal(failAfter: 7)   // the start, then three nodes started and finished
        let fake = Self.counting()
        let result = try await Self.journaled(Graphs.chain(10), LaneExecutor(fake), journal: journal, concurrency: 1)
        #expect(result.status == .failed)
        #expect(result.problems.first?.code == .journalFailed)
        #expect(fake.calledNodes == ["n0", "n1", "n2"], "no node runs whose start is not journaled")
        #expect(result["n3"]?.errorCode == .journalFailed)
        #expect(result["n4"]?.status == .cancelled)
    }

    @Test("a journal that is not a run's, or runs twice, is refused")
    func malformedReplay() throws {
        #expect(throws: JournalFailure.self) { try JournalReplay(entries: []) }
        let start = JournalEntry.runStarted(RunStart(workflowName: "w", version: "1", nodeCount: 1, startedAt: 0))
        #expect(throws: JournalFailure.self) { try JournalReplay(entries: [start, start]) }
        let orphan = JournalEntry.nodeFinished(node: "a", result: NodeResult(nodeType: "t", status: .success, startedAt: 0))
        #expect(throws: JournalFailure.self) { try JournalReplay(entries: [start, orphan]) }
    }

    @Test("the file journal: entries round-trip, a torn last line is cut off, a bad line is JOURNAL_INVALID with its number")
    func fileJournal() async throws {
        let directory = try TemporaryDirectory(prefix: "file-journal")
        let path = directory.path + "/run.jsonl"
        let journal = try FileJournal.create(path: path)
        let reference = try await Self.journaled(Graphs.chain(20), LaneExecutor(Self.counting()), journal: journal)
        #expect(reference.status == .success)
        #expect(throws: JournalFailure.self) { try FileJournal.create(path: path) }   // never appended to by a new run
        let replay = try JournalReplay(entries: try FileJournal.existing(path: path).entries())
        #expect(replay.finished.count == 20 && replay.finishedStatus == "success")
        for (name, result) in reference.nodes {
            let read = try #require(replay.finished[name])
            #expect(read.output == result.output && read.status == result.status && read.executionID == result.executionID)
            #expect(read.attempts.count == result.attempts.count)
            #expect(abs(read.startedAt - result.startedAt) < 0.001 && abs(read.durationMs - result.durationMs) < 0.001)
        }

        // A kill in the middle of a write: the last line has no newline. It is dropped and cut
        // off, so the next append starts on a line of its own.
        let whole = try String(contentsOfFile: path, encoding: .utf8)
        let lines = whole.split(separator: "\n")
        try (lines.prefix(10).joined(separator: "\n") + "\n" + lines[10].prefix(25)).write(toFile: path, atomically: false, encoding: .utf8)
        let torn = try FileJournal.existing(path: path)
        #expect(try torn.entries().count == 10)
        try torn.append(.runResumed(at: 1_700_000_000))
        #expect(try FileJournal.existing(path: path).entries().count == 11)

        try (lines.prefix(3).joined(separator: "\n") + "\n{\"entry\":\"nodeStarted\"}\n").write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try FileJournal.existing(path: path).entries()
            Issue.record("a bad line was accepted")
        } catch {
            #expect(error.code == .journalInvalid)
            #expect(error.message.contains("Line 4"), "\(error.message)")
        }

        // A symlink where the journal should be is refused, not followed.
        let link = directory.path + "/link.jsonl"
        #expect(symlink(path, link) == 0)
        #expect(throws: JournalFailure.self) { try FileJournal.existing(path: link) }
        #expect(throws: JournalFailure.self) { try FileJournal.create(path: link) }
    }

    @Test("events: every node's start and result, then the run's end, in a stream")
    func events() async throws {
        let (stream, observer) = RunEvent.stream()
        let runner = try WorkflowRunner(workflow: Graphs.fan(8), executor: LaneExecutor(Self.counting()), concurrency: 3, events: observer)
        let result = await runner.run()
        var started = Set<String>(), finished = Set<String>(), ended = 0
        for await event in stream {
            switch event {
            case .nodeStarted(let node, _, _): started.insert(node)
            case .nodeFinished(let node, _, let nodeResult):
                #expect(started.contains(node))
                #expect(nodeResult.status == .success)
                finished.insert(node)
            case .runFinished(let run):
                ended += 1
                #expect(run.status == result.status)
            }
        }
        #expect(started.count == 8 && finished.count == 8 && ended == 1)
    }
}

/// A journal whose appends fail after the first `failAfter`.
final class FailingJournal: ExecutionJournal {
    private let inner = InMemoryJournal()
    private let count = Atomic<Int>(0)
    let failAfter: Int

    init(failAfter: Int) { self.failAfter = failAfter }

    func append(_ entry: JournalEntry) throws(JournalFailure) {
        guard count.wrappingAdd(1, ordering: .relaxed).newValue <= failAfter else {
            throw JournalFailure(.journalFailed, "Cannot append to the test journal: disk full (simulated).")
        }
        try inner.append(entry)
    }

    func entries() throws(JournalFailure) -> [JournalEntry] { try inner.entries() }
}

/// A journal in memory that keeps each append's entries together (as `kind node` strings), to
/// check which entries the runner writes in one append.
final class BatchRecordingJournal: ExecutionJournal {
    private let inner = InMemoryJournal()
    private let recorded = Mutex<[[String]]>([])

    var batches: [[String]] { recorded.withLock { $0 } }

    func append(_ entry: JournalEntry) throws(JournalFailure) {
        try append(contentsOf: [entry])
    }

    func append(contentsOf entries: [JournalEntry]) throws(JournalFailure) {
        try inner.append(contentsOf: entries)
        recorded.withLock { $0.append(entries.map(Self.describe)) }
    }

    func entries() throws(JournalFailure) -> [JournalEntry] { try inner.entries() }

    private static func describe(_ entry: JournalEntry) -> String {
        switch entry {
        case .runStarted: "runStarted"
        case .runResumed: "runResumed"
        case .nodeStarted(let node, _): "nodeStarted \(node)"
        case .nodeFinished(let node, _): "nodeFinished \(node)"
        case .compensationFinished(let node, _): "compensationFinished \(node)"
        case .runFinished: "runFinished"
        }
    }
}
