"""execute: results, failures and their exceptions, tenants."""

import pytest

from plugin_host import (
    Host,
    InvalidArgumentError,
    InvalidParametersError,
    NotFoundError,
    PolicyError,
)
from plugin_host.errors import PH_ERR_INVALID_PARAMETERS, PH_ERR_NOT_FOUND, PH_ERR_POLICY


def test_execute_returns_the_result(host):
    result = host.execute("math.add", {"a": 2, "b": 3})
    assert result["status"] == "success"
    assert result["output"] == {"result": 5}
    assert result["nodeType"] == "math.add"


def test_params_may_be_json_text(host):
    assert host.execute("math.mul", '{"a":6,"b":7}')["output"] == {"result": 42}


def test_non_ascii_text_round_trips(host):
    assert host.execute("string.upper", {"text": "héllo wörld"})["output"] == {"result": "HéLLO WöRLD"}


def test_unknown_node_type_raises_not_found_with_the_result(host):
    with pytest.raises(NotFoundError) as caught:
        host.execute("math.addd", {"a": 1, "b": 2})
    error = caught.value
    assert error.code == "NODE_TYPE_NOT_FOUND"
    assert error.status == PH_ERR_NOT_FOUND
    assert error.node == "math.addd"
    assert error.result["errorCode"] == "NODE_TYPE_NOT_FOUND"


def test_schema_violation_raises_invalid_parameters(host):
    with pytest.raises(InvalidParametersError) as caught:
        host.execute("math.add", {"a": "two", "b": 3})
    assert caught.value.code == "VALIDATION_FAILED"
    assert caught.value.result["validationErrors"][0]["path"] == "/a"


def test_plugin_failure_raises_with_the_plugins_message(host):
    with pytest.raises(InvalidParametersError) as caught:
        host.execute("math.div", {"a": 1, "b": 0})
    assert caught.value.code == "INVALID_PARAMETERS"
    assert caught.value.status == PH_ERR_INVALID_PARAMETERS
    assert caught.value.message == "division by zero: b must not be 0"


def test_check_false_returns_the_failed_result(host):
    result = host.execute("math.div", {"a": 1, "b": 0}, check=False)
    assert result["status"] == "error"
    assert result["errorCode"] == "INVALID_PARAMETERS"


def test_check_false_still_raises_when_there_is_no_result(host):
    with pytest.raises(InvalidArgumentError):
        host.execute("math.add", "[1]", check=False)


def test_malformed_params_text_is_invalid_argument(host):
    with pytest.raises(InvalidArgumentError) as caught:
        host.execute("math.add", '{"a":')
    assert caught.value.result is None
    assert caught.value.message.startswith("params_json is not valid JSON")


def test_input_must_be_an_array(host):
    with pytest.raises(InvalidArgumentError) as caught:
        host.execute("math.add", {"a": 1, "b": 2}, input={"not": "a list"})
    assert caught.value.message == "input_json must be a JSON array, not object"


def test_params_that_cannot_be_json_are_invalid_argument(host):
    with pytest.raises(InvalidArgumentError):
        host.execute("math.add", {"a": float("nan"), "b": 1})


def test_node_type_must_be_text(host):
    with pytest.raises(InvalidArgumentError):
        host.execute(None, {})


POLICY = {"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.*"]}]}


def test_allowed_tenant_runs_the_node():
    with Host({"policy": POLICY}) as host:
        assert host.execute("math.add", {"a": 1, "b": 1}, tenant="acme")["output"] == {"result": 2}


def test_disallowed_node_type_raises_policy_error():
    with Host({"policy": POLICY}) as host:
        with pytest.raises(PolicyError) as caught:
            host.execute("string.upper", {"text": "x"}, tenant="acme")
    assert caught.value.code == "NODE_TYPE_DISABLED_FOR_TENANT"
    assert caught.value.status == PH_ERR_POLICY


def test_unknown_tenant_raises_not_found():
    with Host({"policy": POLICY}) as host:
        with pytest.raises(NotFoundError) as caught:
            host.execute("math.add", {"a": 1, "b": 1}, tenant="globex")
    assert caught.value.code == "TENANT_UNKNOWN"
