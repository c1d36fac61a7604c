"""One mapping from a failure to its exception class, whichever call failed."""

import pytest

from plugin_host import (
    ExecutionError,
    Host,
    InvalidArgumentError,
    InvalidParametersError,
    NotFoundError,
    PolicyError,
)
from plugin_host.errors import (
    PH_ERR_EXECUTION,
    PH_ERR_INVALID_PARAMETERS,
    PH_ERR_NOT_FOUND,
    error_class,
)

POLICY = {"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["string.*"]}]}


def one_node_workflow(node_type, params):
    return {"name": "one", "nodes": [{"name": "Only", "type": node_type, "typeVersion": 1, "parameters": params}]}


# (node type, params, tenant, the class both calls raise)
SAME_FAILURE = [
    ("math.div", {"a": 1, "b": 0}, None, InvalidParametersError),      # the node ran and refused
    ("math.add", {"a": 1, "b": 2}, "acme", PolicyError),               # run: refused by validation
    ("math.nope", {}, None, NotFoundError),                            # run: refused by validation
    ("math.add", {"a": 1, "b": 2}, "globex", NotFoundError),           # unknown tenant
]


@pytest.mark.parametrize("node_type, params, tenant, expected", SAME_FAILURE)
def test_execute_and_run_workflow_raise_the_same_class_for_the_same_code(node_type, params, tenant, expected):
    with Host({"policy": POLICY} if tenant else None) as host:
        with pytest.raises(Exception) as executed:
            host.execute(node_type, params, tenant=tenant)
        with pytest.raises(Exception) as ran:
            host.run_workflow(one_node_workflow(node_type, params), tenant=tenant)
    assert executed.value.code == ran.value.code, (executed.value, ran.value)
    assert type(executed.value) is expected, executed.value
    assert type(ran.value) is expected, ran.value


def test_the_code_decides_before_the_status():
    # A refused workflow's status is PH_ERR_INVALID_PARAMETERS whatever its first problem.
    assert error_class("NODE_TYPE_NOT_FOUND", PH_ERR_INVALID_PARAMETERS) is NotFoundError
    assert error_class("JSON_TOO_DEEP", PH_ERR_INVALID_PARAMETERS) is InvalidArgumentError
    assert error_class("NODE_TYPE_NOT_FOUND", PH_ERR_NOT_FOUND) is NotFoundError


def test_a_code_outside_the_table_takes_the_status_class():
    assert error_class("WORKFLOW_CYCLE", PH_ERR_INVALID_PARAMETERS) is InvalidParametersError
    assert error_class("EXECUTION_ERROR", PH_ERR_EXECUTION) is ExecutionError
    assert error_class(None, 99) is ExecutionError


def test_a_workflow_only_refusal_is_still_invalid_parameters(host):
    workflow = {"name": "duplicate", "nodes": [
        {"name": "A", "type": "math.add", "typeVersion": 1, "parameters": {"a": 1, "b": 2}},
        {"name": "A", "type": "math.add", "typeVersion": 1, "parameters": {"a": 1, "b": 2}}]}
    with pytest.raises(InvalidParametersError) as caught:
        host.run_workflow(workflow)
    assert caught.value.code == "DUPLICATE_NODE_NAME"
