"""One Host shared by many threads."""

import threading

from plugin_host import Host, InvalidParametersError

from conftest import ADD_WORKFLOW

THREADS = 8
EXECUTIONS = 200


def run_threads(target):
    errors = []

    def guarded(index):
        try:
            target(index)
        except BaseException as error:  # reported below, with the thread's index
            errors.append((index, repr(error)))

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_eight_threads_execute_on_one_host(loaded):
    def work(index):
        for step in range(EXECUTIONS):
            result = loaded.execute("math.add", {"a": index, "b": step})
            assert result["output"] == {"result": index + step}

    run_threads(work)
    stats = loaded.stats()
    assert stats["registry"]["nodes"]["math.add"]["calls"] == THREADS * EXECUTIONS


def test_failures_in_some_threads_do_not_disturb_others(loaded):
    def work(index):
        for step in range(EXECUTIONS // 4):
            if index % 2:
                try:
                    loaded.execute("math.div", {"a": step, "b": 0})
                    raise AssertionError("division by zero succeeded")
                except InvalidParametersError as error:
                    assert error.code == "INVALID_PARAMETERS"
            else:
                assert loaded.execute("math.mul", {"a": index, "b": step})["output"] == {"result": index * step}

    run_threads(work)


def test_threads_run_workflows_and_list_at_once(loaded):
    def work(index):
        for _ in range(10):
            if index % 2:
                assert loaded.run_workflow(ADD_WORKFLOW)["status"] == "success"
            else:
                assert len(loaded.list()) > 0

    run_threads(work)


def test_lazy_loading_from_many_threads_initializes_once():
    with Host() as host:
        def work(index):
            assert host.execute("string.length", {"text": "x" * index})["output"] == {"result": index}

        run_threads(work)
        assert len(host.list()) == 4  # only the string plugin was needed
