#!/bin/sh
# Creates the benchmark peers' Python environment: .build/bench-venv with dask, which
# plugin-host-bench then uses for its Python peers (`plugin-host-bench --setup-peers` runs this).
# Needs python3 with the venv module and access to PyPI. Never part of CI.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.build/bench-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet dask
"$venv/bin/python" -c 'import dask; print("dask", dask.__version__, "in", "'"$venv"'")'
