import ArgumentParser
import Foundation
import PluginHostCore
import PluginLoader
import PluginRuntime
import PluginWorkflow

/// `plugin-host run WORKFLOW`: validate a workflow, then run it on the host's plugins.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Validate and run a workflow; print every node's result.",
        discussion: """
            Validates first (as `validate` does) and runs nothing if there is any error. Independent nodes run \
            in parallel, up to --concurrency (default: the workflow's settings.concurrency, else 4). \
            --json prints {status, durationMs, nodes, problems, stats}; --trace FILE writes every attempt of \
            every node as a Chrome trace (open it in https://ui.perfetto.dev or chrome://tracing). \
            A progress line is shown on stderr when stderr is a terminal. \
            --journal FILE records the run as it goes (JSON lines: the start, every node started and finished, \
            the end); after a crash or a kill, --resume FILE runs the same workflow file again from it: nodes \
            that finished are not run again, nodes that had started run again with the same execution id. \
            Ctrl-C cancels the run (running nodes see is_cancelled, the rest are not started) and prints its \
            result; a second Ctrl-C exits at once. \
            Exits 0 when the run succeeded, 1 when it failed or was refused, 2 on a usage error, 130 when it \
            was cancelled by Ctrl-C.
            """
    )

    @Argument(help: "The workflow file (n8n-style JSON).")
    var workflow: String

    @Option(help: "The most nodes running at once (overrides settings.concurrency).")
    var concurrency: Int?

    @Option(help: "Write a Chrome trace-event timeline of every attempt to this file (Perfetto, chrome://tracing).")
    var trace: String?

    @Option(help: "Record the run in this new file (JSON lines), so that it can be resumed with --resume.")
    var journal: String?

    @Option(help: "Resume the run recorded in this journal: finished nodes are not run again.")
    var resume: String?

    @Flag(name: .customLong("journal-fsync"), help: "fsync the journal after every entry (survives power loss; slower).")
    var journalFsync = false


    @OptionGroup var hostOptions: ExecutingHostOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        if trace?.isEmpty == true { throw ValidationError("--trace needs a file name, e.g. --trace run.trace.json.") }
        if journal != nil && resume != nil {
            throw ValidationError("--journal starts a new journal and --resume continues one: give one of them.")
        }
        if journalFsync && journal == nil && resume == nil { throw ValidationError("--journal-fsync needs --journal or --resume.") }
    }

    func run() async throws {
        let (parsed, version) = try WorkflowFile.readVersioned(workflow, limits: hostOptions.inputLimits.limits)
        let journaling = try openJournal(version: version)
        let configuration = try hostOptions.configuration()
        let traceFile = try trace.map(Self.prepareTraceFile)
        let host = PluginHost(configuration: configuration)
        defer { host.shutdownWorkers() }
        let tracer = traceFile.map { _ in TraceRecorder(title: "plugin-host run \(parsed.workflow.name)") }
        let line = ProgressLine.forTerminal(total: parsed.workflow.nodes.count)
        var events: (@Sendable (RunEvent) -> Void)?
        if let line { events = { line.record($0) } }
        let cancellation = CancellationFlag()
        let interrupt = Interrupt.cancelling(cancellation)
        let outcome = await HostWorkflows(host: host, tenant: hostOptions.tenancy.tenant).run(
            parsed, concurrency: concurrency, tracer: tracer, journaling: journaling, cancellation: cancellation, events: events)
        interrupt.stop()
        line?.finish()
        // Written even for a refused run (no events then), so the file is always a valid trace.
        if let tracer, let traceFile {
            try Self.write(tracer.chromeTraceJSON(), to: traceFile)
        }
        if output.json {
            // Streamed: the nodes' results go straight into the output, no document tree.
            var stream = JSONStream(style: .pretty, capacity: 4096)
            outcome.write(to: &stream, extra: [("stats", host.statistics())])
            Terminal.printJSON(bytes: stream.bytes)
        } else {
            switch outcome {
            case .refused(let report):
                print(ProblemListView.render(report, file: workflow, nodeCount: parsed.workflow.nodes.count))
                print("run refused: the workflow is invalid; nothing ran.")
            case .ran(let result, let validation):
                print(RunReportView(result: result, warnings: validation.problems).render())
            }
        }
        if outcome.result?.status == .cancelled, interrupt.fired { throw ExitCode(130) }
        if !outcome.succeeded { throw ExitCode(1) }
    }

    /// The run's journal: a new file for --journal (refused if it exists), the existing one
    /// read for --resume (refused if unreadable: usage errors, exit 2, before anything runs).
    private func openJournal(version: String) throws -> RunJournaling? {
        do throws(JournalFailure) {
            if let journal {
                return RunJournaling(
                    journal: try FileJournal.create(path: Terminal.absolutePath(journal), synchronous: journalFsync), version: version)
            }
            if let resume {
                let file = try FileJournal.existing(path: Terminal.absolutePath(resume), synchronous: journalFsync)
                return RunJournaling(journal: file, version: version, replay: try JournalReplay(entries: try file.entries()))
            }
            return nil
        } catch {
            Terminal.error("\(error.code.rawValue): \(error.message)")
            throw ExitCode(2)
        }
    }

    /// Creates (or empties) the trace file before the run, so a bad path fails in a moment
    /// rather than after a long run. Returns its absolute path.
    static func prepareTraceFile(_ path: String) throws -> String {
        let absolute = Terminal.absolutePath(path)
        guard FileManager.default.createFile(atPath: absolute, contents: nil) else {
            throw ValidationError("--trace \(absolute) cannot be written; check that its directory exists and is writable.")
        }
        return absolute
    }

    static func write(_ trace: JSONValue, to path: String) throws {
        let text = JSONWriter.string(trace) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            Terminal.error("FILE_UNREADABLE: the trace could not be written to \(path).")
            throw ExitCode(1)
        }
    }
}
