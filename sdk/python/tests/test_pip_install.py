"""The package installs with pip into a fresh virtual environment and works from anywhere.

Offline when the new environment can build without fetching anything (setuptools >= 61 with
a ``bdist_wheel``: setuptools >= 70.1 or the ``wheel`` package): ``--no-build-isolation
--no-index``. Otherwise pip's build isolation fetches setuptools; when the index cannot be
reached at all, the tests skip and say so (a failure with the index reachable still fails).

The source is copied first, so setuptools' in-tree leftovers (``build/``, ``*.egg-info``) land
in the copy, not in the checkout.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import plugin_host

SOURCE = Path(plugin_host.__file__).resolve().parents[1]

CAN_BUILD_OFFLINE = """
import sys
try:
    import setuptools
except ImportError:
    sys.exit(1)
version = tuple(int(part) for part in setuptools.__version__.split(".")[:2] if part.isdigit())
if version < (61,):
    sys.exit(1)
if version < (70, 1):
    try:
        import wheel  # noqa: F401  (setuptools < 70.1 builds wheels through it)
    except ImportError:
        sys.exit(1)
"""

USE = """
import json, plugin_host
from importlib import metadata
from pathlib import Path
with plugin_host.Host() as host:
    result = host.execute("math.add", {"a": 2, "b": 3})
package = Path(plugin_host.__file__).resolve().parent
print(json.dumps({"output": result["output"], "file": str(package),
                  "typed": (package / "py.typed").is_file(),
                  "version": plugin_host.__version__, "distribution": metadata.version("plugin-host")}))
"""


def run(arguments, **keywords):
    return subprocess.run([str(a) for a in arguments], capture_output=True, text=True, timeout=240, **keywords)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment, and how pip can build the package in it."""
    root = tmp_path_factory.mktemp("pip-install")
    created = run([sys.executable, "-m", "venv", root / "venv"])
    if created.returncode != 0:
        pytest.skip(f"python3 -m venv failed (Debian: apt-get install python3-venv): {created.stderr.strip()}")
    python = root / "venv" / "bin" / "python"
    offline = run([python, "-c", CAN_BUILD_OFFLINE]).returncode == 0
    options = ["--no-build-isolation", "--no-index"] if offline else []
    source = root / "src"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    return python, options, source, root


def pip_install(venv, *arguments):
    python, options, _, root = venv
    installed = run([python, "-m", "pip", "install", "--quiet", *options, *arguments], cwd=root)
    if installed.returncode != 0 and not options:
        reach = run([python, "-m", "pip", "download", "--quiet", "--no-deps", "-d", root / "probe", "setuptools>=61"], cwd=root)
        if reach.returncode != 0:
            pytest.skip("pip needs the package index to fetch setuptools (this environment cannot build offline) "
                        f"and cannot reach it: {reach.stderr.strip()[-300:]}")
    assert installed.returncode == 0, installed.stdout + installed.stderr


def use_from_elsewhere(venv, library_path):
    python, _, _, root = venv
    elsewhere = root / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PLUGIN_HOST_PATH")}
    environment.update({"PLUGIN_HOST_LIBRARY": library_path, "PYTHONDONTWRITEBYTECODE": "1"})
    used = run([python, "-c", USE], cwd=elsewhere, env=environment)
    assert used.returncode == 0, used.stderr
    return json.loads(used.stdout)


def test_pip_install_then_execute_from_another_directory(venv, library_path):
    _, _, source, root = venv
    pip_install(venv, source)
    used = use_from_elsewhere(venv, library_path)
    assert used["output"] == {"result": 5}
    assert Path(used["file"]).is_relative_to(root / "venv")
    assert used["typed"]
    assert used["version"] == used["distribution"] == plugin_host.__version__


def test_editable_install_uses_the_source_directory(venv, library_path):
    _, _, source, _ = venv
    pip_install(venv, "--editable", source)
    used = use_from_elsewhere(venv, library_path)
    assert used["output"] == {"result": 5}
    assert used["file"] == str((source / "plugin_host").resolve())
