"""find_library's order and its error, each case in a fresh interpreter.

A fresh process per case because the loader step (``ctypes.CDLL("libplugin_host.so.1")``) also
matches a library this process already loaded, and because ``LD_LIBRARY_PATH`` is read when a
process starts. The package under test is imported from the checkout, or from a copy outside
it (an installed package, which has no build directory to look in).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import plugin_host

PACKAGE = Path(plugin_host.__file__).resolve().parent
CHECKOUT_ROOT = PACKAGE.parents[2]

PROBE = """
import json, plugin_host
try:
    print(json.dumps({"found": plugin_host.find_library(), "version": plugin_host.version()}))
except plugin_host.LibraryNotFoundError as error:
    print(json.dumps({"error": str(error)}))
"""


def fake_pkg_config(directory: Path, libdir, calls: Path) -> Path:
    """A ``pkg-config`` that records its arguments and knows plugin-host's libdir (None: it
    does not know the package, as the real one says when plugin-host.pc is not installed)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "pkg-config"
    answer = f'echo "{libdir}"; exit 0' if libdir is not None else 'echo "Package plugin-host was not found" >&2; exit 1'
    script.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n{answer}\n')
    script.chmod(0o755)
    return directory


def probe(package_parent: Path, path_dirs, library_dirs=(), library_variable=None):
    """Runs the probe with only ``path_dirs`` on PATH and ``library_dirs`` on LD_LIBRARY_PATH."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PLUGIN_HOST_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "PYTHONPATH")}
    environment["PATH"] = os.pathsep.join(str(d) for d in path_dirs)
    environment["PYTHONPATH"] = str(package_parent)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    if library_dirs:
        environment["LD_LIBRARY_PATH"] = os.pathsep.join(str(d) for d in library_dirs)
    if library_variable is not None:
        environment["PLUGIN_HOST_LIBRARY"] = library_variable
    completed = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True,
                               text=True, timeout=60, cwd=str(package_parent))
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture
def installed_copy(tmp_path):
    """The package copied outside the checkout: no build directory step."""
    parent = tmp_path / "site"
    shutil.copytree(PACKAGE, parent / "plugin_host", ignore=shutil.ignore_patterns("__pycache__"))
    return parent


@pytest.fixture
def prefix_libdir(tmp_path, library_path):
    """An installed prefix's lib/ holding the built library under its SONAME."""
    libdir = tmp_path / "prefix" / "lib"
    libdir.mkdir(parents=True)
    (libdir / "libplugin_host.so.1").symlink_to(library_path)
    return libdir


def test_plugin_host_library_wins_and_pkg_config_is_not_asked(tmp_path, installed_copy, prefix_libdir, library_path):
    calls = tmp_path / "calls"
    bin_dir = fake_pkg_config(tmp_path / "bin", prefix_libdir, calls)
    result = probe(installed_copy, [bin_dir], library_variable=library_path)
    assert result["found"] == library_path
    assert not calls.exists()


def test_a_wrong_plugin_host_library_is_an_error_naming_it_with_no_fallback(tmp_path, installed_copy, prefix_libdir):
    bin_dir = fake_pkg_config(tmp_path / "bin", prefix_libdir, tmp_path / "calls")
    wrong = str(tmp_path / "nowhere" / "libplugin_host.so")
    result = probe(installed_copy, [bin_dir], library_variable=wrong)
    assert "PLUGIN_HOST_LIBRARY" in result["error"] and wrong in result["error"]


def test_pkg_config_libdir_comes_next_soname_first(tmp_path, installed_copy, prefix_libdir):
    calls = tmp_path / "calls"
    (prefix_libdir / "libplugin_host.so").symlink_to(prefix_libdir / "libplugin_host.so.1")
    bin_dir = fake_pkg_config(tmp_path / "bin", prefix_libdir, calls)
    result = probe(installed_copy, [bin_dir])
    assert result["found"] == str(prefix_libdir / "libplugin_host.so.1")
    assert result["version"].startswith(plugin_host.__version__)
    # Once per find_library (the probe calls it twice: directly and through version()).
    assert set(calls.read_text().splitlines()) == {"--variable=libdir plugin-host"}


def test_pkg_config_libdir_with_the_development_name_only(tmp_path, installed_copy, library_path):
    libdir = tmp_path / "lib"
    libdir.mkdir()
    (libdir / "libplugin_host.so").symlink_to(library_path)
    bin_dir = fake_pkg_config(tmp_path / "bin", libdir, tmp_path / "calls")
    assert probe(installed_copy, [bin_dir])["found"] == str(libdir / "libplugin_host.so")


def test_the_system_loader_comes_after_pkg_config(tmp_path, installed_copy, prefix_libdir):
    bin_dir = fake_pkg_config(tmp_path / "bin", None, tmp_path / "calls")
    result = probe(installed_copy, [bin_dir], library_dirs=[prefix_libdir])
    assert result["found"] == "libplugin_host.so.1"
    assert result["version"].startswith(plugin_host.__version__)


def test_the_checkout_build_directory_comes_last(tmp_path):
    if not (CHECKOUT_ROOT / "Package.swift").is_file():
        pytest.skip("the package under test is not imported from a checkout")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = probe(PACKAGE.parent, [empty])
    expected = [CHECKOUT_ROOT / ".build" / kind / "libplugin_host.so" for kind in ("debug", "release")]
    assert result["found"] == str(next(path for path in expected if path.is_file()))


def test_the_error_lists_every_place_in_order_and_says_what_to_do(tmp_path, installed_copy):
    bin_dir = fake_pkg_config(tmp_path / "bin", tmp_path / "prefix" / "lib", tmp_path / "calls")
    message = probe(installed_copy, [bin_dir], library_dirs=[tmp_path / "no-libs"])["error"]
    places = [
        "PLUGIN_HOST_LIBRARY: not set",
        str(tmp_path / "prefix" / "lib" / "libplugin_host.so.1") + " (pkg-config's libdir)",
        str(tmp_path / "prefix" / "lib" / "libplugin_host.so") + " (pkg-config's libdir)",
        "libplugin_host.so.1 through the system loader",
        "a SwiftPM build directory: none, this package is not imported from a checkout",
    ]
    positions = [message.find(place) for place in places]
    assert -1 not in positions, message
    assert positions == sorted(positions), message
    for advice in ("Set PLUGIN_HOST_LIBRARY", "scripts/install.sh", "swift build"):
        assert advice in message


def test_the_error_says_when_pkg_config_is_missing_or_does_not_know_the_host(tmp_path, installed_copy):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    assert "pkg-config is not on PATH" in probe(installed_copy, [empty])["error"]
    bin_dir = fake_pkg_config(tmp_path / "bin", None, tmp_path / "calls")
    assert "plugin-host.pc not found" in probe(installed_copy, [bin_dir])["error"]
