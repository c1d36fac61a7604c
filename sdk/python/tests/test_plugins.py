"""scan, load and list."""

import os
import shutil

import pytest

from plugin_host import Host, InvalidArgumentError


def names(report):
    return sorted(os.path.basename(plugin["path"]) for plugin in report["plugins"])


def test_default_scan_finds_the_bundled_plugins(host):
    report = host.scan()
    assert names(report) == ["libph-demo.so", "libph-greeter.so", "libph-hazard.so", "libph-math.so", "libph-string.so"]
    assert report["summary"]["ok"] == 5


def test_scan_of_given_directories(plugin_dir, tmp_path):
    shutil.copy(os.path.join(plugin_dir, "libph-math.so"), tmp_path / "libmath.so")
    with Host({"defaultPlugins": False}) as host:
        report = host.scan([tmp_path])
        assert names(report) == ["libmath.so"]
        host.load()
        assert [node["nodeType"] for node in host.list()] == ["math.add", "math.div", "math.mul", "math.sub"]


def test_given_directories_come_before_the_defaults(host, plugin_dir, tmp_path):
    shutil.copy(os.path.join(plugin_dir, "libph-math.so"), tmp_path / "libmath.so")
    report = host.scan([tmp_path])
    assert report["plugins"][0]["path"].endswith("/libmath.so")
    assert report["plugins"][0]["status"] == "ok"
    assert "libph-string.so" in names(report)


def test_plugin_path_option(plugin_dir, tmp_path):
    shutil.copy(os.path.join(plugin_dir, "libph-string.so"), tmp_path / "libstring.so")
    with Host({"pluginPath": [str(tmp_path)], "defaultPlugins": False}) as host:
        assert names(host.scan()) == ["libstring.so"]


def test_plugin_host_path_environment_variable(monkeypatch, plugin_dir, tmp_path):
    shutil.copy(os.path.join(plugin_dir, "libph-string.so"), tmp_path / "libstring.so")
    monkeypatch.setenv("PLUGIN_HOST_PATH", str(tmp_path))
    with Host({"defaultPlugins": False}) as host:
        assert names(host.scan()) == ["libstring.so"]


def test_scan_reports_rejected_files(host, tmp_path):
    (tmp_path / "libjunk.so").write_text("not an ELF file")
    report = host.scan([tmp_path])
    assert report["plugins"][0]["status"] == "rejected"
    assert report["summary"]["rejected"] == 1


def test_scan_of_a_non_directory_list_is_invalid_argument(host):
    with pytest.raises(InvalidArgumentError):
        host.scan([""])


def test_load_initializes_the_bundled_plugins(host):
    report = host.load()
    assert report["totals"]["initialized"] == 5
    assert report["scan"]["ok"] == 5


def test_list_is_empty_before_load(host):
    assert host.list() == []


def test_list_describes_each_node_type(loaded):
    nodes = loaded.list()
    types = [node["nodeType"] for node in nodes]
    assert types == sorted(types)
    add = next(node for node in nodes if node["nodeType"] == "math.add")
    assert add["pluginId"] == "org.plugin-host.math"
    assert add["category"] == "math"
    assert add["supportedVersions"] == [1]
    assert add["schema"]["required"] == ["a", "b"]


def test_load_reports_a_missing_plugin_directory_in_its_problems(tmp_path):
    missing = str(tmp_path / "no-such-plugins")
    with Host({"pluginPath": [missing], "defaultPlugins": False}) as host:
        report = host.load()
    assert [(p["code"], p["path"]) for p in report["problems"]] == [("DIRECTORY_NOT_FOUND", missing)]
    assert report["totals"]["initialized"] == 0


def test_load_has_no_problems_when_every_directory_was_scanned(loaded):
    assert loaded.load()["problems"] == []
