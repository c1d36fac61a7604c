import PluginHostCore
import PluginRuntime
import PluginWorkflow

/// Issue #4's scheduling figures: `WorkflowRunner` over 10 000-node chain, fan and layered
/// graphs (``BenchGraph``) at concurrency 2 with an executor that does no work, so the time per
/// node is the scheduler's own cost; beside Python's graphlib + ThreadPoolExecutor(2) and Dask
/// (sync and threaded, 2 workers) running the same graphs with no-op tasks in the same run.
///
/// Both sides are timed from a plain description of the graph (a `Workflow` value; a dict of
/// parents) to every node's result: our figure includes building the runner (graph indexing
/// and structure checks) as the peers' include building the sorter or ordering the graph. The
/// `.prepare` rows show that construction alone.
///
/// The `.host` rows run the same graphs through the real host (``MathHost``): every node is
/// `math.add` with `{"a":2,"b":3}` executed by `HostNodeExecutor` (tenant check, lookup,
/// validation, the C call, output parse), each node getting its parents' outputs as input
/// items. Their peer is the no-op figure of the same graph, so the ratio is what real
/// execution adds to scheduling. `--no-dag-host` leaves them out.
struct DAGBenchmark {
    let workDirectory: String
    let python: PythonPeers
    /// Measure the `.host` rows (`--no-dag-host` turns them off).
    var measureHost = true
    static let nodeCount = 10_000
    static let concurrency = 2
    static let repeats = 5
    static let peerRepeats = 3
    static let hostRepeats = 3
    /// Why the host rows may be missing from a run.
    static let hostOffReason = "left out with --no-dag-host"

    func run(log: (String) -> Void) async throws -> [Figure] {
        var ours: [BenchGraph: Double] = [:]
        var preparation: [BenchGraph: Double] = [:]
        for shape in BenchGraph.allCases {
            log("dag: \(shape.rawValue), \(Self.nodeCount) nodes, concurrency \(Self.concurrency)…")
            let workflow = shape.workflow(nodes: Self.nodeCount, concurrency: Self.concurrency)
            let count = Double(workflow.nodes.count)
            var samples: [Double] = []
            var prepareSamples: [Double] = []
            for _ in 0..<Self.repeats {
                let start = WallClockNanos.now()
                let runner = try WorkflowRunner(workflow: workflow, executor: NoWorkExecutor())
                let prepared = WallClockNanos.now()
                let result = await runner.run()
                let end = WallClockNanos.now()
                samples.append(Double(end - start) / 1000 / count)
                prepareSamples.append(Double(prepared - start) / 1000 / count)
                guard result.status == .success, result.nodes.count == workflow.nodes.count else {
                    throw BenchError("dag \(shape.rawValue): the run did not succeed")
                }
            }
            ours[shape] = median(samples)
            preparation[shape] = median(prepareSamples)
        }

        var hosted: [BenchGraph: Double] = [:]
        if measureHost {
            let math = try MathHost(workDirectory: workDirectory, log: log)
            let parameters = try JSONParser.parse(DispatchBenchmark.parametersText)
            for shape in BenchGraph.allCases {
                log("dag: \(shape.rawValue) through the host (math.add on every node)…")
                let workflow = shape.workflow(nodes: Self.nodeCount, concurrency: Self.concurrency, nodeType: "math.add", parameters: parameters)
                var samples: [Double] = []
                for _ in 0..<Self.hostRepeats {
                    let start = WallClockNanos.now()
                    let executor = HostNodeExecutor(host: math.host, tenant: MathHost.tenant, workflow: workflow)
                    let result = await (try WorkflowRunner(workflow: workflow, executor: executor)).run()
                    samples.append(Double(WallClockNanos.now() - start) / 1000 / Double(workflow.nodes.count))
                    guard result.status == .success, result.nodes.last?.result.output?["result"]?.doubleValue == 5 else {
                        let failed = result.nodes.first { $0.result.status != .success }?.result
                        throw BenchError("dag \(shape.rawValue) on the host: \(failed?.errorCode?.rawValue ?? "") \(failed?.error ?? "the run did not succeed")")
                    }
                }
                hosted[shape] = median(samples)
            }
        } else {
            log("dag: through the host: not measured (\(Self.hostOffReason))")
        }

        log("peers: graphlib + ThreadPoolExecutor(2), Dask sync and threaded (this takes a while)…")
        let peers = python.run("dag_peers.py", ["--nodes", "\(Self.nodeCount)", "--repeats", "\(Self.peerRepeats)"])
        var figures: [Figure] = []
        for shape in BenchGraph.allCases {
            let value = ours[shape]!
            let base = "dag.\(shape.rawValue).10k.c2"
            for (suffix, key, label) in [("", "dask.threaded", "Dask threaded (2 workers)"),
                                         (".vs.dask.sync", "dask.sync", "Dask sync (dask.get)"),
                                         (".vs.graphlib", "graphlib", "graphlib + ThreadPoolExecutor(2)")] {
                var peer = label
                var peerValue: Double?
                switch peers {
                case .success(let json):
                    peerValue = json["figures"]?["\(key).\(shape.rawValue)"]?.doubleValue
                    if peerValue == nil {
                        peer += " (skipped: \(json["daskNote"]?.stringValue ?? "no figure"))"
                    }
                case .failure(let skipped):
                    peer += " (\(skipped.note))"
                }
                figures.append(Figure(name: base + suffix, value: value, unit: "µs/node", goal: "≤ 1",
                                      meetsGoal: value <= 1, peer: peer, peerValue: peerValue))
            }
            if let host = hosted[shape] {
                figures.append(Figure(name: base + ".host", value: host, unit: "µs/node", goal: nil, meetsGoal: nil,
                                      peer: "the same graph, no-op executor", peerValue: value))
            }
            figures.append(Figure(name: base + ".prepare", value: preparation[shape]!, unit: "µs/node", goal: nil,
                                  meetsGoal: nil, peer: nil, peerValue: nil))
        }
        return figures
    }
}

/// An executor that does nothing and succeeds at once (no output), so a run measures only the
/// scheduler: readiness bookkeeping, input gathering, `$ref` resolution, worker hand-offs.
struct NoWorkExecutor: WorkflowNodeExecutor {
    func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        NodeResult(nodeType: node.type, status: .success, startedAt: 0)
    }
}
