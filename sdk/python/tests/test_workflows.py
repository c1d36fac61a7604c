"""run_workflow."""

import json

import pytest

from plugin_host import InvalidArgumentError, InvalidParametersError, PolicyError
from plugin_host.errors import PH_ERR_INVALID_PARAMETERS

from conftest import ADD_WORKFLOW


def test_workflow_runs_and_returns_the_run_document(host):
    run = host.run_workflow(ADD_WORKFLOW)
    assert run["status"] == "success"
    assert run["nodes"]["Add"]["output"] == {"result": 5}
    assert run["nodes"]["Shout"]["output"] == {"result": "SUM READY"}


def test_workflow_may_be_json_text(host):
    assert host.run_workflow(json.dumps(ADD_WORKFLOW))["status"] == "success"


def test_failing_node_raises_with_the_run(host):
    workflow = {"name": "div", "nodes": [
        {"name": "Divide", "type": "math.div", "typeVersion": 1, "parameters": {"a": 1, "b": 0}}]}
    with pytest.raises(InvalidParametersError) as caught:
        host.run_workflow(workflow)
    assert caught.value.node == "Divide"
    assert caught.value.result["status"] == "failed"
    assert host.run_workflow(workflow, check=False)["nodes"]["Divide"]["errorCode"] == "INVALID_PARAMETERS"


def test_invalid_workflow_is_refused_with_every_problem(host):
    workflow = {"name": "bad", "nodes": [
        {"name": "A", "type": "math.nope", "typeVersion": 1, "parameters": {}},
        {"name": "A", "type": "math.add", "typeVersion": 1, "parameters": {"a": 1, "b": 2}}]}
    with pytest.raises(InvalidParametersError) as caught:
        host.run_workflow(workflow)
    codes = {problem["code"] for problem in caught.value.result["problems"]}
    assert {"NODE_TYPE_NOT_FOUND", "DUPLICATE_NODE_NAME"} <= codes
    assert caught.value.result["nodes"] == {}


def test_malformed_workflow_text_is_invalid_argument(host):
    with pytest.raises(InvalidArgumentError):
        host.run_workflow('{"nodes":')


def test_tenant_applies_to_the_workflow():
    from plugin_host import Host

    policy = {"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["string.*"]}]}
    with Host({"policy": policy}) as host:
        with pytest.raises(PolicyError) as caught:
            host.run_workflow(ADD_WORKFLOW, tenant="acme")
        assert caught.value.code == "NODE_TYPE_DISABLED_FOR_TENANT"
        assert caught.value.status == PH_ERR_INVALID_PARAMETERS  # the library's status for a refused workflow
