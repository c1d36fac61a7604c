"""The DAG shapes of the scheduling benchmark, exactly as bench/Sources/BenchGraphs.swift builds them.

Each shape maps a node name to the list of its parents' names, in connection order:
- chain:   n0 -> n1 -> ... -> n{N-1}
- fan:     n0 -> n1 .. n{N-2} (N-2 leaves) -> n{N-1} (one join with N-2 parents)
- layered: L layers of W nodes (N = L * W); node j of layer l > 0 has the parents
           j, (j + 1) % W and (j + 37) % W of layer l - 1 (three distinct parents).
Node names are "n<index>", index = l * W + j for the layered shape.
"""

LAYERED_OFFSETS = (0, 1, 37)


def chain(n):
    return {f"n{i}": ([f"n{i - 1}"] if i > 0 else []) for i in range(n)}


def fan(n):
    graph = {"n0": []}
    for i in range(1, n - 1):
        graph[f"n{i}"] = ["n0"]
    graph[f"n{n - 1}"] = [f"n{i}" for i in range(1, n - 1)]
    return graph


def layered(n, width=100):
    layers = n // width
    graph = {}
    for layer in range(layers):
        for j in range(width):
            name = f"n{layer * width + j}"
            if layer == 0:
                graph[name] = []
            else:
                graph[name] = [f"n{(layer - 1) * width + (j + k) % width}" for k in LAYERED_OFFSETS]
    return graph


SHAPES = {"chain": chain, "fan": fan, "layered": layered}


def sinks(graph):
    """Nodes nobody depends on: what a scheduler is asked for (every node is upstream of one)."""
    has_child = {parent for parents in graph.values() for parent in parents}
    return [name for name in graph if name not in has_child]
