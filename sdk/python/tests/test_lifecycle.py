"""Creating, closing and finding the library."""

import pytest

import plugin_host
from plugin_host import Host, InvalidArgumentError, LibraryNotFoundError, PluginHostError


def test_version_names_release_and_abi():
    assert plugin_host.version() == "0.1.0 (ABI 1.0)"


def test_host_version_matches_library(host):
    assert host.version == plugin_host.version()


def test_context_manager_closes_the_host():
    with Host() as host:
        assert not host.closed
    assert host.closed


def test_calls_after_close_raise_invalid_argument():
    host = Host()
    host.close()
    with pytest.raises(InvalidArgumentError) as caught:
        host.list()
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "closed" in caught.value.message


def test_close_is_idempotent():
    host = Host()
    host.close()
    host.close()
    assert host.closed


def test_options_as_dict_and_as_json_text_are_equivalent(plugin_dir):
    with Host({"mode": "loose", "initConcurrency": 2}) as a, Host('{"mode":"loose","initConcurrency":2}') as b:
        assert a.scan()["mode"] == "loose"
        assert b.scan()["mode"] == "loose"


def test_unknown_option_key_is_invalid_argument():
    with pytest.raises(InvalidArgumentError) as caught:
        Host({"initTimoutMs": 10})
    error = caught.value
    assert error.code == "INVALID_ARGUMENT"
    assert error.status == plugin_host.errors.PH_ERR_INVALID_ARGUMENT
    assert 'unknown key "initTimoutMs"' in error.message


def test_malformed_options_json_is_invalid_argument():
    with pytest.raises(InvalidArgumentError) as caught:
        Host('{"mode":')
    assert caught.value.message.startswith("options_json is not valid JSON")


def test_wrongly_typed_option_is_invalid_argument():
    with pytest.raises(InvalidArgumentError) as caught:
        Host({"initConcurrency": "five"})
    assert "/initConcurrency" in caught.value.message


def test_invalid_policy_option_is_policy_invalid():
    with pytest.raises(InvalidArgumentError) as caught:
        Host({"policy": {"tenants": [{"tenantId": "acme", "colour": "red"}]}})
    assert caught.value.code == "POLICY_INVALID"


def test_invalid_argument_error_is_a_value_error():
    with pytest.raises(ValueError):
        Host({"mode": "fast"})


def test_every_error_is_a_plugin_host_error():
    with pytest.raises(PluginHostError):
        Host([])


def test_explicit_library_path_is_used(library_path):
    with Host(library=library_path) as host:
        assert host.version == "0.1.0 (ABI 1.0)"


def test_missing_library_raises_library_not_found(tmp_path):
    with pytest.raises(LibraryNotFoundError):
        Host(library=str(tmp_path / "libplugin_host.so"))


def test_plugin_host_library_chooses_the_library(monkeypatch, library_path):
    monkeypatch.setenv("PLUGIN_HOST_LIBRARY", library_path)
    assert plugin_host.find_library() == library_path
