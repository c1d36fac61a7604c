"""Peers of the DAG scheduling benchmark: the same graphs run by Python schedulers with tasks
that do nothing, so the time per node is the scheduler's own cost.

  python3 bench/peers/dag_peers.py [--nodes 10000] [--repeats 3]

Prints one JSON object: {"python": VERSION, "dask": VERSION or null, "daskNote": TEXT or null,
"figures": {"graphlib.chain": US_PER_NODE, ..., "dask.sync.chain": ..., "dask.threaded.chain": ...}}.
Each figure is the median over the repeats of (wall time of one whole run) / nodes, timed from
the plain graph description (a dict) to every task done, as the Swift side is timed from a
Workflow value to its run result. Run by plugin-host-bench; never part of CI.
"""
import argparse
import json
import queue
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from graphlib import TopologicalSorter

from graphs import SHAPES, sinks


def noop(*_parents):
    return None


def run_graphlib(graph, pool):
    """graphlib.TopologicalSorter driving a 2-thread pool; completions come back through a
    queue (O(1) per task, the fastest idiomatic form: waiting on all futures is O(pending))."""
    done = queue.SimpleQueue()
    start = time.perf_counter_ns()
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    running = 0
    while sorter.is_active():
        for node in sorter.get_ready():
            pool.submit(noop, node).add_done_callback(lambda future, node=node: done.put(node))
            running += 1
        node = done.get()
        running -= 1
        sorter.done(node)
    return time.perf_counter_ns() - start


def dask_graph(graph):
    return {name: (noop, *parents) for name, parents in graph.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    try:
        import dask
        import dask.threaded
        dask_version, dask_note = dask.__version__, None
    except ImportError as error:
        dask, dask_version = None, None
        dask_note = f"dask is not importable ({error}); run plugin-host-bench --setup-peers"

    figures = {}
    with ThreadPoolExecutor(2) as pool:
        for shape, build in SHAPES.items():
            graph = build(args.nodes)
            count = len(graph)
            samples = [run_graphlib(graph, pool) for _ in range(args.repeats)]
            figures[f"graphlib.{shape}"] = statistics.median(samples) / 1000 / count
            if dask is None:
                continue
            dsk, keys = dask_graph(graph), sinks(graph)
            for name, get in (("sync", lambda: dask.get(dsk, keys)),
                              ("threaded", lambda: dask.threaded.get(dsk, keys, num_workers=2))):
                samples = []
                for _ in range(args.repeats):
                    start = time.perf_counter_ns()
                    get()
                    samples.append(time.perf_counter_ns() - start)
                figures[f"dask.{name}.{shape}"] = statistics.median(samples) / 1000 / count

    print(json.dumps({"python": sys.version.split()[0], "dask": dask_version, "daskNote": dask_note,
                      "figures": figures}))


if __name__ == "__main__":
    main()
