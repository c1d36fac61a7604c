"""set_policy and stats."""

import pytest

from plugin_host import InvalidArgumentError, NotFoundError, PolicyError

POLICY = {"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.*"]}]}


def test_set_policy_applies_to_later_executions(host):
    host.set_policy(POLICY)
    with pytest.raises(PolicyError):
        host.execute("string.upper", {"text": "x"}, tenant="acme")
    assert host.execute("math.add", {"a": 1, "b": 2}, tenant="acme")["output"] == {"result": 3}


def test_set_policy_requires_a_tenant_afterwards(host):
    host.set_policy(POLICY)
    with pytest.raises(NotFoundError) as caught:
        host.execute("math.add", {"a": 1, "b": 2})
    assert caught.value.code == "TENANT_UNKNOWN"


def test_set_policy_none_returns_to_single_tenant_mode(host):
    host.set_policy(POLICY)
    host.set_policy(None)
    assert host.execute("string.upper", {"text": "x"})["output"] == {"result": "X"}


def test_invalid_policy_is_rejected_and_the_previous_stays(host):
    host.set_policy(POLICY)
    with pytest.raises(InvalidArgumentError) as caught:
        host.set_policy({"tenants": [{"tenantId": "acme", "colour": "red"}]})
    assert caught.value.code == "POLICY_INVALID"
    with pytest.raises(PolicyError):
        host.execute("string.upper", {"text": "x"}, tenant="acme")


def test_policy_as_json_text(host):
    host.set_policy('{"tenants":[{"tenantId":"acme"}]}')
    assert host.execute("math.add", {"a": 1, "b": 2}, tenant="acme")["status"] == "success"


def test_stats_count_calls_and_errors(host):
    host.execute("math.add", {"a": 1, "b": 2})
    host.execute("math.div", {"a": 1, "b": 0}, check=False)
    stats = host.stats()
    assert stats["registry"]["nodes"]["math.add"]["calls"] == 1
    assert stats["registry"]["nodes"]["math.div"]["errors"] == 1
    assert stats["errors"]["byCode"]["INVALID_PARAMETERS"] == 1
    assert set(stats) >= {"registry", "validationCache", "circuitBreakers", "errors"}
