"""Result forms (``result=``) and prepared calls (``Host.prepare``, ``NodeCall``)."""

import pytest

from plugin_host import Host, InvalidArgumentError, NodeCall, NotFoundError, PolicyError


def test_compact_result_is_status_and_output(host):
    assert host.execute("math.add", {"a": 2, "b": 3}, result="compact") == {"status": "success", "output": {"result": 5}}


def test_output_result_is_the_output_itself(host):
    assert host.execute("math.add", {"a": 2, "b": 3}, result="output") == {"result": 5}


def test_compact_failure_raises_with_its_code_and_message(host):
    with pytest.raises(Exception) as caught:
        host.execute("math.div", {"a": 1, "b": 0}, result="compact")
    full = host.execute("math.div", {"a": 1, "b": 0}, check=False)
    assert caught.value.code == full["errorCode"]
    assert caught.value.result == {"status": "error", "output": None, "errorCode": full["errorCode"], "error": full["error"]}


def test_output_failure_is_none_unchecked_and_raises_checked(host):
    assert host.execute("math.div", {"a": 1, "b": 0}, result="output", check=False) is None
    with pytest.raises(NotFoundError):
        host.execute("math.addd", {}, result="output")


def test_unknown_result_form_is_invalid_argument(host):
    with pytest.raises(InvalidArgumentError, match="result must be one of"):
        host.execute("math.add", {"a": 1, "b": 1}, result="tiny")


def test_prepared_call_runs_with_each_input(host):
    with host.prepare("math.add", {"a": 40, "b": 2}) as call:
        assert isinstance(call, NodeCall)
        assert call() == {"result": 42}
        assert call.execute([], result="compact") == {"status": "success", "output": {"result": 42}}
        full = call.execute(result="full")
        assert full["nodeType"] == "math.add" and full["attempts"] == 1


def test_prepared_call_checks_at_execute(host):
    call = host.prepare("math.addd", {})
    with pytest.raises(NotFoundError) as caught:
        call()
    assert caught.value.node == "math.addd"


def test_prepare_refuses_bad_parameters_at_once(host):
    with pytest.raises(InvalidArgumentError, match="params_json"):
        host.prepare("math.add", "[1]")


def test_closed_call_and_closed_host_raise(library_path):
    host = Host(library=library_path)
    call = host.prepare("math.add", {"a": 1, "b": 1})
    assert call() == {"result": 2}
    call.close()
    with pytest.raises(InvalidArgumentError, match="closed"):
        call()
    other = host.prepare("math.add", {"a": 1, "b": 1})
    host.close()
    with pytest.raises(InvalidArgumentError, match="destroyed"):
        other()
    other.close()


def test_policy_set_later_applies_to_a_prepared_call(library_path):
    allow_math = {"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.*"]}]}
    with Host({"policy": allow_math}, library=library_path) as host:
        call = host.prepare("math.add", {"a": 1, "b": 1}, tenant="acme")
        assert call() == {"result": 2}
        host.set_policy({"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["string.*"]}]})
        with pytest.raises(PolicyError):
            call()
