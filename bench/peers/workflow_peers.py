"""Peers of the workflow benchmark: Dask running the same 10 000-node graphs as plugin-host, with
a task that does what math.add does ({"result": a + b} from two numbers), so both sides run
real nodes, not no-ops.

  python3 bench/peers/workflow_peers.py run [--nodes 10000] [--repeats 3]
      Prints {"dask": VERSION or null, "daskNote": TEXT or null,
      "figures": {"dask.sync.chain": US_PER_NODE, ..., "dask.threaded.layered": ...}}: the median
      over the repeats of one whole run (graph dict built from the parents, then every task
      done) / nodes, in this process: the peer of `plugin-host run`'s own run phase.
  python3 bench/peers/workflow_peers.py whole FILE [--scheduler sync|threaded]
      What a user of Dask does end to end, timed by plugin-host-bench as a whole process (the
      peer of the whole `plugin-host run FILE --json` command): start Python, import dask, read
      the workflow file plugin-host runs (its nodes and connections), build the graph, compute
      every node, print the results as JSON.
Run by plugin-host-bench; never part of CI.
"""
import argparse
import json
import statistics
import sys
import time

from graphs import SHAPES, sinks


def add(a, b, *_parents):
    """math.add: {"result": a + b}; the parents' results arrive as extra arguments (dask
    substitutes each key with its task's result), as a node's input items do."""
    return {"result": a + b}


def dask_graph(parents):
    return {name: (add, 2, 3, *its) for name, its in parents.items()}


def parents_of(workflow):
    """A plugin-host workflow document's nodes and connections as {name: [parent names]}, in
    connection order."""
    parents = {node["name"]: [] for node in workflow["nodes"]}
    for source, outputs in workflow.get("connections", {}).items():
        for group in outputs.get("main", []):
            for target in group:
                parents[target["node"]].append(source)
    return parents


def run(args):
    try:
        import dask
        import dask.threaded
    except ImportError as error:
        print(json.dumps({"dask": None, "daskNote": f"dask is not importable ({error}); run plugin-host-bench --setup-peers",
                          "figures": {}}))
        return
    from dask.core import get as sync_get
    figures = {}
    for shape, build in SHAPES.items():
        parents = build(args.nodes)
        count = len(parents)
        for name, get in (("sync", sync_get), ("threaded", lambda g, k: dask.threaded.get(g, k, num_workers=2))):
            samples = []
            for _ in range(args.repeats):
                start = time.perf_counter_ns()
                graph = dask_graph(parents)
                results = get(graph, sinks(parents))
                samples.append((time.perf_counter_ns() - start) / 1000 / count)
                assert all(result == {"result": 5} for result in results)
            figures[f"dask.{name}.{shape}"] = statistics.median(samples)
    print(json.dumps({"dask": dask.__version__, "daskNote": None, "figures": figures}))


def whole(args):
    import dask.threaded
    from dask.core import get as sync_get
    with open(args.file, "rb") as file:
        workflow = json.load(file)
    parents = parents_of(workflow)
    graph = dask_graph(parents)
    names = list(parents)
    if args.scheduler == "sync":
        results = sync_get(graph, names)
    else:
        results = dask.threaded.get(graph, names, num_workers=2)
    json.dump({"status": "success", "nodes": dict(zip(names, results))}, sys.stdout)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--nodes", type=int, default=10_000)
    run_parser.add_argument("--repeats", type=int, default=3)
    whole_parser = commands.add_parser("whole")
    whole_parser.add_argument("file")
    whole_parser.add_argument("--scheduler", choices=("sync", "threaded"), default="sync")
    args = parser.parse_args()
    (run if args.command == "run" else whole)(args)


if __name__ == "__main__":
    main()
