"""The embed benchmark: Python → ph_host_execute through libplugin_host.so, beside a plain
ctypes call of libc `abs`, all measured in this one Python process.

  python bench/peers/embed_call.py --library PATH --plugin-dir DIR [--plugin-dir DIR …]
                                   [--calls 10000] [--batches 11]

For each node (`math.add` {"a":2,"b":3}; `libm.pow` {"base":2,"exp":10} when a plugin
directory provides it) two figures:
  binding.NODE — `plugin_host.Host.execute` of the sdk/python binding: dict → JSON text, the
                 call, the result document parsed back into a dict (what a Python user writes);
  raw.NODE     — `ph_host_execute` declared by hand with ctypes, the parameters already bytes,
                 the result freed with ph_free unread (the C ABI's own cost from Python);
and for math.add the lean forms of the binding:
  binding.output.NODE   — `Host.execute(..., result="output")`: the output dict only;
  binding.prepared.NODE — `Host.prepare(...)` once, then `NodeCall()` per call (the output).
and `ctypes.abs`, the floor of any ctypes call. Each figure is the median over batches of
(batch wall time / calls), the Python loop included, as any caller pays it.

Prints {"python": VERSION, "figures": {NAME: NS_PER_CALL, …}}. Run by plugin-host-bench; never
part of CI.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))
from plugin_host import Host  # noqa: E402  (the binding in this checkout)

NODES = [
    ("math.add", {"a": 2, "b": 3}, {"result": 5}),
    ("libm.pow", {"base": 2, "exp": 10}, {"result": 1024}),
]


def median_ns(call, calls, batches):
    """Median over batches of the mean ns per call."""
    for _ in range(min(calls, 2000)):  # warm-up
        call()
    samples = []
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter_ns() - start) / calls)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", required=True)
    parser.add_argument("--plugin-dir", action="append", required=True)
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--batches", type=int, default=11)
    args = parser.parse_args()

    host = Host({"pluginPath": args.plugin_dir}, library=args.library)
    available = {node["nodeType"] for node in host.list()} if host.load() is not None else set()
    lib = host._lib  # the same CDLL the binding declared the embed.h prototypes on
    handle = ctypes.c_void_p(host._handle)
    figures = {}

    for node_type, params, expected in NODES:
        if node_type not in available:
            continue
        result = host.execute(node_type, params)
        if result.get("output") != expected:
            raise SystemExit(f"{node_type} answered {result!r}, not {expected!r}")
        figures[f"binding.{node_type}"] = median_ns(lambda: host.execute(node_type, params), args.calls, args.batches)

        type_bytes = node_type.encode()
        params_bytes = json.dumps(params, separators=(",", ":")).encode()
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        execute, free = lib.ph_host_execute, lib.ph_free
        out_ref, err_ref = ctypes.byref(out), ctypes.byref(err)

        def raw():
            status = execute(handle, None, type_bytes, params_bytes, None, out_ref, err_ref)
            if status != 0:
                raise SystemExit(f"ph_host_execute({node_type}) returned {status}")
            free(out)
            out.value = None
        raw()
        figures[f"raw.{node_type}"] = median_ns(raw, args.calls, args.batches)

        if node_type == "math.add":
            if host.execute(node_type, params, result="output") != expected:
                raise SystemExit(f"{node_type} with result='output' did not answer {expected!r}")
            figures[f"binding.output.{node_type}"] = median_ns(
                lambda: host.execute(node_type, params, result="output"), args.calls, args.batches)
            call = host.prepare(node_type, params)
            if call() != expected:
                raise SystemExit(f"prepared {node_type} did not answer {expected!r}")
            figures[f"binding.prepared.{node_type}"] = median_ns(call, args.calls, args.batches)
            call.close()

    if not figures:
        raise SystemExit(f"none of {[n for n, _, _ in NODES]} is available in {args.plugin_dir}")

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    c_abs = libc.abs
    c_abs.argtypes = [ctypes.c_int]
    c_abs.restype = ctypes.c_int
    if c_abs(-3) != 3:
        raise SystemExit("libc abs returned a wrong value")
    figures["ctypes.abs"] = median_ns(lambda: c_abs(-3), args.calls * 10, args.batches)

    host.close()
    print(json.dumps({"python": sys.version.split()[0], "figures": figures}))


if __name__ == "__main__":
    main()
