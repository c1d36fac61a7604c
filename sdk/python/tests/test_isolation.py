"""Process isolation through the embed options: a crash costs only its call."""

import os

import pytest

from plugin_host import ExecutionError, Host, InvalidArgumentError, NodeTimeoutError
from plugin_host.errors import PH_ERR_EXECUTION


@pytest.fixture
def isolated():
    with Host({"isolation": "process", "limits": {"memoryMb": 512}}) as created:
        yield created


def test_a_node_runs_in_a_worker_with_the_usual_result(isolated):
    result = isolated.execute("math.add", {"a": 2, "b": 3})
    assert result["status"] == "success"
    assert result["output"] == {"result": 5}


def test_a_segfault_is_execution_crashed_and_the_process_lives_on(isolated):
    with pytest.raises(ExecutionError) as caught:
        isolated.execute("hazard.segfault", {})
    assert caught.value.code == "EXECUTION_CRASHED"
    assert caught.value.status == PH_ERR_EXECUTION
    assert "SIGSEGV" in caught.value.message
    assert "org.plugin-host.hazard" in caught.value.message
    # This Python process is still here, and so is the host.
    assert isolated.execute("math.mul", {"a": 6, "b": 7})["output"] == {"result": 42}


def test_exit_in_a_plugin_does_not_end_python(isolated):
    result = isolated.execute("hazard.exit", {"status": 0}, check=False)
    assert result["errorCode"] == "EXECUTION_CRASHED"
    assert "exited with status 0" in result["error"]
    assert os.getpid() > 0


def test_a_workflow_with_a_crash_finishes_its_other_branch(isolated):
    workflow = {
        "name": "crash-and-branch",
        "nodes": [
            {"name": "Crash", "type": "hazard.abort", "parameters": {}},
            {"name": "Add", "type": "math.add", "parameters": {"a": 1, "b": 2}},
        ],
        "connections": {},
    }
    document = isolated.run_workflow(workflow, check=False)
    assert document["status"] == "failed"
    assert document["nodes"]["Crash"]["errorCode"] == "EXECUTION_CRASHED"
    assert document["nodes"]["Add"]["output"] == {"result": 3}


@pytest.mark.parametrize("options", [{"isolation": "sandbox"}, {"limits": {"memoryMb": 0}}, {"limits": {"ram": 1}}])
def test_bad_isolation_options_are_invalid_arguments(options):
    with pytest.raises(InvalidArgumentError) as caught:
        Host(options)
    assert caught.value.code == "INVALID_ARGUMENT"
