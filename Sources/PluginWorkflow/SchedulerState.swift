import PluginHostCore
import PluginRuntime

/// A node ready to execute: everything the worker needs, gathered under the lock.
struct ScheduledJob: Sendable {
    var index: Int
    /// The node's parameters with every `$ref` replaced by its value.
    var parameters: JSONValue
    /// The parents' output items, in connection order.
    var input: JSONValue
    var lane: Int
}

/// The run's bookkeeping, always accessed under one lock: per-node counters, phases, statuses
/// and outputs, the ready queue, and how many workers and lanes are in use. Whole results
/// live in ``NodeResultSlots``, outside the lock.
///
/// Everything is indexed by node number, so finishing a node costs a walk over its own
/// children and nothing else. Workers pull jobs from here; see ``WorkflowRunner`` for how
/// workers come and go.
struct SchedulerState {
    enum Phase: UInt8 { case waiting, ready, running, finished, cancelled }

    let graph: WorkflowGraph
    let concurrency: Int
    let progress: (@Sendable (RunProgress) -> Void)?
    /// Set for a run whose connections are order only (``ConnectionMeaning/orderOnly(inputs:)``):
    /// each node's given input, and a failure does not cancel what comes after it.
    let givenInputs: [JSONValue]?
    /// What a node without parents gets as its input (the run's input; `[]` by default).
    let rootInput: JSONValue
    /// Everything the scheduler tracks about one node, together so that finishing a node
    /// touches one element per child (one uniqueness check, one cache line).
    struct NodeState {
        /// Connections into the node whose source has not finished yet.
        var remaining: Int
        var phase: Phase
        /// Set when the node finishes, apart from its result so that gathering a child's
        /// input never copies a whole result.
        var status: NodeStatus?
        var output: JSONValue?
    }

    private var nodes: [NodeState]
    /// Where results go: workers store their own outside the lock; the state stores those of
    /// nodes it finishes itself (cancelled, unresolvable `$ref`).
    let slots: NodeResultSlots
    /// FIFO of ready node indices; `ready[readyHead...]` are still waiting for a worker.
    private var ready: [Int]
    private var readyHead = 0
    /// Workers spawned and not yet exited (each runs at most one node at a time).
    private var activeWorkers = 0
    private var running = 0
    private var done = 0
    private(set) var failed = 0
    private var lanes: LanePool

    /// `replayed`: results from a journal being resumed, by node index (every one's parents
    /// among them, checked by ``JournalReplay``): those nodes are finished before anything
    /// runs, in a topological order, so their children see their outputs as if they had just run.
    init(
        graph: WorkflowGraph, concurrency: Int, slots: NodeResultSlots, progress: (@Sendable (RunProgress) -> Void)?,
        replayed: [Int: NodeResult] = [:], connections: ConnectionMeaning = .dataFlow, rootInput: JSONValue = .array([])
    ) {
        self.rootInput = rootInput
        if case .orderOnly(let inputs) = connections { givenInputs = inputs } else { givenInputs = nil }
        self.graph = graph
        self.slots = slots
        self.concurrency = concurrency
        self.progress = progress
        let count = graph.nodeCount
        nodes = (0..<count).map { index in
            NodeState(remaining: graph.parentStart[index + 1] - graph.parentStart[index], phase: .waiting, status: nil, output: nil)
        }
        ready = []
        ready.reserveCapacity(count)
        for index in 0..<count where nodes[index].remaining == 0 {
            nodes[index].phase = .ready
            ready.append(index)
        }
        lanes = LanePool()
        guard !replayed.isEmpty else { return }
        // Parents before children (the graph is acyclic: the runner checked it).
        let position = graph.topologicalPositions() ?? Array(0..<count)
        for index in replayed.keys.sorted(by: { position[$0] < position[$1] }) {
            let result = replayed[index]!
            slots.store(result, at: index)
            finish(index, status: result.status, output: result.output)
        }
    }

    /// How many new workers to spawn now: one per ready node that no idle worker will take,
    /// within the concurrency limit. The caller must spawn exactly that many; they count as
    /// active (and idle until they take a node) from here.
    mutating func claimWorkers() -> Int {
        let idleWorkers = activeWorkers - running
        let wanted = min(ready.count - readyHead - idleWorkers, concurrency - activeWorkers)
        guard wanted > 0 else { return 0 }
        activeWorkers += wanted
        return wanted
    }

    /// ``nextJob(cancelled:)`` for a worker that tops the pool up itself (a lane): its next job,
    /// or, when it exits, how many workers it must start in its place (claimed, as by
    /// ``claimWorkers()``) and whether it was the last worker of the run. Deciding both in the
    /// critical section that lets it exit is what makes exactly one worker the last.
    mutating func nextJobOrExit(cancelled: String?) -> (job: ScheduledJob?, spawn: Int, last: Bool) {
        if let job = nextJob(cancelled: cancelled) { return (job, 0, false) }
        let spawn = claimWorkers()
        return (nil, spawn, spawn == 0 && activeWorkers == 0)
    }

    /// The calling worker's next job, or nil when it should exit.
    ///
    /// A worker exits when nothing is ready, and also when, besides the node it would take,
    /// more nodes are ready than the other idle workers will take, while fewer than
    /// `concurrency` workers exist: only the task-group owner can add workers, and it does
    /// so when a worker exits. (Counting the idle workers is what keeps freshly spawned
    /// workers from exiting again at once.)
    /// `cancelled`: why the run stops, when it does (every node not started is cancelled with it).
    mutating func nextJob(cancelled: String?) -> ScheduledJob? {
        if let cancelled { cancelAll(reason: cancelled) }
        while readyHead < ready.count {
            let otherIdleWorkers = activeWorkers - running - 1
            if ready.count - readyHead - 1 > otherIdleWorkers && activeWorkers < concurrency { break }
            let index = ready[readyHead]
            readyHead += 1
            guard nodes[index].phase == .ready, var job = prepare(index) else { continue }
            job.lane = lanes.take()
            nodes[index].phase = .running
            running += 1
            return job
        }
        activeWorkers -= 1
        return nil
    }

    /// Records how a job ended (its result is already in ``slots``), frees its lane, and
    /// makes its children ready or cancels them.
    mutating func complete(_ job: ScheduledJob, status: NodeStatus, output: consuming JSONValue?) {
        running -= 1
        lanes.give(job.lane)
        finish(job.index, status: status, output: output)
        report()
    }

    private func report() {
        progress?(RunProgress(done: done, running: running, total: graph.nodeCount, failed: failed))
    }

    private mutating func finish(_ index: Int, status: NodeStatus, output: consuming JSONValue?) {
        // Only a node whose parents have all finished gets here, so `remaining` is 0.
        nodes[index] = NodeState(remaining: 0, phase: .finished, status: status, output: output)
        done += 1
        if status == .error || status == .cancelled {
            failed += 1
            if givenInputs == nil {
                cancelDescendants(of: index)
                return
            }
        }
        for child in graph.childIndices(of: index) {
            nodes[child].remaining -= 1
            if nodes[child].remaining == 0 && nodes[child].phase == .waiting {
                nodes[child].phase = .ready
                ready.append(child)
            }
        }
    }

    /// Marks every descendant that has not run as `cancelled`, naming the failed node.
    private mutating func cancelDescendants(of index: Int) {
        let reason = "not run: upstream node \(graph.workflow.nodes[index].name) failed"
        var stack = [index]
        while let node = stack.popLast() {
            for child in graph.childIndices(of: node) where nodes[child].phase == .waiting || nodes[child].phase == .ready {
                cancel(child, reason: reason)
                stack.append(child)
            }
        }
    }

    /// Marks every node that has not started as `cancelled` (the run stops).
    private mutating func cancelAll(reason: String) {
        for index in 0..<graph.nodeCount where nodes[index].phase == .waiting || nodes[index].phase == .ready {
            cancel(index, reason: reason)
        }
    }

    private mutating func cancel(_ index: Int, reason: String) {
        var result = NodeResult(nodeType: graph.workflow.nodes[index].type, status: .cancelled, startedAt: WallClock.now())
        result.error = reason
        slots.store(result, at: index)
        nodes[index].phase = .cancelled
        done += 1
        failed += 1
    }

    /// Gathers the node's input items and resolves its `$ref`s from finished ancestors; when
    /// a `$ref` does not resolve, finishes the node as failed (no plugin code ran) and returns nil.
    private mutating func prepare(_ index: Int) -> ScheduledJob? {
        let parents = graph.parentIndices(of: index)
        let input: JSONValue
        if let givenInputs {
            input = givenInputs[index]
        } else if parents.isEmpty {
            input = rootInput
        } else if parents.count == 1, case .array(let items)? = nodes[parents[parents.startIndex]].output {
            input = .array(items)
        } else {
            var items: [JSONValue] = []
            for parent in parents {
                switch nodes[parent].output {
                case nil, .null?: break
                case .array(let elements)?: items.append(contentsOf: elements)
                case let value?: items.append(value)
                }
            }
            input = .array(items)
        }
        let references = graph.references[index]
        var values: [JSONValue] = []
        values.reserveCapacity(references.count)
        for resolved in references {
            let reference = resolved.reference
            let value: JSONValue?
            let why: String
            if let target = resolved.target, let output = nodes[target].output {
                value = output.resolve(pointer: reference.pointer)
                why = "\(reference.node)'s output has no value at \"\(reference.pointer)\"; fix the pointer"
            } else {
                value = nil
                let status = resolved.target.flatMap { nodes[$0].status }
                why = "\(reference.node) ended \(status?.rawValue ?? "without a result") and has no output"
            }
            guard let value else {
                let message = "Parameter \(reference.path) takes its value from $ref \"\(reference.text)\", but \(why)."
                slots.store(.failure(nodeType: graph.workflow.nodes[index].type, code: .invalidParameters, message: message, startedAt: WallClock.now()), at: index)
                finish(index, status: .error, output: nil)
                report()
                return nil
            }
            values.append(value)
        }
        var parameters = graph.workflow.nodes[index].parameters
        if !references.isEmpty {
            parameters = parameters.substituting(references.map(\.reference), with: values)
        }
        return ScheduledJob(index: index, parameters: parameters, input: input, lane: -1)
    }
}
