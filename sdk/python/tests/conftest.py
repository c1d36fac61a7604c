"""Shared fixtures: the package from this checkout, hosts over the bundled example plugins."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import plugin_host  # noqa: E402


@pytest.fixture(scope="session")
def library_path():
    """The libplugin_host.so under test; its directory holds the bundled plugins."""
    return plugin_host.find_library()


@pytest.fixture(scope="session")
def plugin_dir(library_path):
    return str(Path(library_path).resolve().parent)


@pytest.fixture(autouse=True)
def no_plugin_path(monkeypatch):
    """Tests start without PLUGIN_HOST_PATH, so the default directory is the library's."""
    monkeypatch.delenv("PLUGIN_HOST_PATH", raising=False)


@pytest.fixture
def host():
    with plugin_host.Host() as created:
        yield created


@pytest.fixture
def loaded(host):
    host.load()
    return host


ADD_WORKFLOW = {
    "name": "sum-and-shout",
    "nodes": [
        {"name": "Add", "type": "math.add", "typeVersion": 1, "parameters": {"a": 2, "b": 3}},
        {"name": "Words", "type": "string.concat", "typeVersion": 1,
         "parameters": {"values": ["sum", "ready"], "separator": " "}},
        {"name": "Shout", "type": "string.upper", "typeVersion": 1,
         "parameters": {"text": {"$ref": "Words#/result"}}},
    ],
    "connections": {
        "Add": {"main": [[{"node": "Words", "type": "main", "index": 0}]]},
        "Words": {"main": [[{"node": "Shout", "type": "main", "index": 0}]]},
    },
}
