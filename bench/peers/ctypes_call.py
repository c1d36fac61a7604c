"""Peer of the dispatch benchmark: a Python ctypes call of a trivial C function (libc `abs`),
what calling a C plugin from Python costs at the very least.

  python3 bench/peers/ctypes_call.py [--calls 200000] [--batches 15]

Prints {"python": VERSION, "function": "abs", "nsPerCall": MEDIAN}: the median over batches of
(batch wall time / calls). The Python loop around the call is included, as any caller pays it.
Run by plugin-host-bench; never part of CI.
"""
import argparse
import ctypes
import ctypes.util
import json
import statistics
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200000)
    parser.add_argument("--batches", type=int, default=15)
    args = parser.parse_args()

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    c_abs = libc.abs
    c_abs.argtypes = [ctypes.c_int]
    c_abs.restype = ctypes.c_int
    if c_abs(-3) != 3:
        raise SystemExit("libc abs returned a wrong value")

    samples = []
    for _ in range(args.batches):
        start = time.perf_counter_ns()
        for _ in range(args.calls):
            c_abs(-3)
        samples.append((time.perf_counter_ns() - start) / args.calls)
    print(json.dumps({"python": sys.version.split()[0], "function": "abs",
                      "nsPerCall": statistics.median(samples)}))


if __name__ == "__main__":
    main()
