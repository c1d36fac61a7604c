"""The ``Host`` class: one embedded plugin host (a ``ph_host *``)."""

from __future__ import annotations

import ctypes
import json
import os
import threading
from typing import Any, Dict, Iterable, List, Optional, Union

from ._library import load_library, take_text
from .errors import PH_ERR_INVALID_ARGUMENT, PH_OK, InvalidArgumentError, error_for

JSONText = Union[str, bytes]

#: ``result=`` values of ``Host.execute`` and ``NodeCall.execute``: embed.h's PH_RESULT_* forms.
RESULT_FORMS = {"full": 0, "compact": 1, "output": 2}


def _parse_and_free(free: Any, document: ctypes.c_void_p) -> Any:
    """A successful call's document: parsed from the host's bytes as they are (json.loads reads
    UTF-8 bytes), then freed. The common case, kept short: on success there is no error."""
    pointer = document.value
    if pointer is None:
        return None
    try:
        return json.loads(ctypes.string_at(pointer))
    finally:
        free(pointer)


def _form(result: str) -> int:
    form = RESULT_FORMS.get(result) if isinstance(result, str) else None
    if form is None:
        raise InvalidArgumentError(
            "INVALID_ARGUMENT", f"result must be one of {', '.join(map(repr, RESULT_FORMS))}, not {result!r}", PH_ERR_INVALID_ARGUMENT
        )
    return form


def _encode(value: Any, what: str) -> bytes:
    """``value`` as UTF-8 JSON text: str/bytes are passed through as already-JSON text."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(
            "INVALID_ARGUMENT", f"{what} cannot be written as JSON: {error}", PH_ERR_INVALID_ARGUMENT
        ) from error


def _text(value: Optional[str], what: str) -> Optional[bytes]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError("INVALID_ARGUMENT", f"{what} must be a str, not {type(value).__name__}", PH_ERR_INVALID_ARGUMENT)
    return value.encode("utf-8")


class _Handle:
    """A ``with``-able owner of one library handle: ``close()`` releases it once (under a lock,
    so two threads closing at once cannot release it twice), and so does garbage collection."""

    def _release(self) -> Optional[int]:
        with self._lock:
            handle, self._handle = self._handle, None
        return handle

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass


class Host(_Handle):
    """An embedded plugin host: scans plugin directories, loads plugins, executes nodes and
    runs workflows.

    ``options``: ``None`` or a dict (or JSON text) with any of ``pluginPath`` (list of
    directories, searched before ``PLUGIN_HOST_PATH`` and the default directories),
    ``defaultPlugins`` (``False`` leaves the default directories out), ``mode`` (``"strict"``/``"loose"``), ``initConcurrency``, ``initTimeoutMs``,
    ``policy`` (the policy-file format), ``isolation`` (``"none"``/``"process"``: node calls in
    worker processes, so a plugin that crashes or hangs costs only its call) and ``limits``
    (``{"memoryMb", "cpuSecondsPerCall", "outputBytes"}`` for those workers). ``library``: the path of libplugin_host.so (default:
    see ``plugin_host.find_library``).

    One ``Host`` may be shared by many threads: every method may run concurrently (ctypes
    releases the GIL during the call, and the host is thread-safe per handle). ``close()`` (or
    leaving a ``with`` block) releases the handle; calls already running finish, later calls
    raise ``InvalidArgumentError``.
    """

    def __init__(self, options: Union[None, Dict[str, Any], JSONText] = None, library: Optional[Union[str, os.PathLike]] = None) -> None:
        self._lib = load_library(os.fspath(library) if library is not None else None)
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        encoded = None if options is None else _encode(options, "options")
        status = self._lib.ph_host_create(encoded, ctypes.byref(handle), ctypes.byref(error))
        self._check(status, error)
        self._handle = handle.value

    # Lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the handle. Idempotent. Plugins stay loaded for the life of the process."""
        handle = self._release()
        if handle is not None:
            self._lib.ph_host_destroy(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    @property
    def version(self) -> str:
        """The host's version, e.g. ``"0.1.0 (ABI 1.0)"``."""
        return self._lib.ph_version().decode("utf-8")

    # Plugins --------------------------------------------------------------------------------

    def scan(self, dirs: Optional[Iterable[Union[str, os.PathLike]]] = None) -> Dict[str, Any]:
        """Scans ``dirs`` (default: the host's plugin directories) without running plugin code;
        returns the ``plugin-host scan --json`` report. Rejected files are in the report."""
        encoded = None if dirs is None else _encode([os.fspath(d) for d in dirs], "dirs")
        report, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_scan(self._use(), encoded, ctypes.byref(report), ctypes.byref(error))
        return self._finish(status, report, error)

    def load(self) -> Dict[str, Any]:
        """Initializes every plugin the last scan accepted (scanning first if needed); returns
        the ``plugin-host load --json`` report. Plugins that failed are in the report."""
        report, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_load(self._use(), ctypes.byref(report), ctypes.byref(error))
        return self._finish(status, report, error)

    def list(self) -> List[Dict[str, Any]]:
        """The node types of initialized plugins, sorted: dicts with ``nodeType``, ``pluginId``,
        ``pluginVersion``, ``description``, ``category``, ``tags``, ``supportedVersions``,
        ``schema``."""
        nodes, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_list(self._use(), ctypes.byref(nodes), ctypes.byref(error))
        return self._finish(status, nodes, error)

    # Execution ------------------------------------------------------------------------------

    def execute(
        self,
        node_type: str,
        params: Union[Dict[str, Any], JSONText, None] = None,
        input: Union[List[Any], JSONText, None] = None,
        tenant: Optional[str] = None,
        check: bool = True,
        result: str = "full",
    ) -> Any:
        """Executes one node and returns its result dict (the ``exec --json`` shape; the
        node's output is ``result["output"]``).

        ``result`` picks how much comes back (less is faster to build and to read):
        ``"full"`` (the whole result), ``"compact"`` (``{"status", "output"}``, plus
        ``"errorCode"`` and ``"error"`` when the node did not succeed) or ``"output"`` (the
        node's output itself, not a dict around it).

        When the node does not succeed, raises the exception for its status (e.g.
        ``InvalidParametersError``) with the result in ``.result`` — unless ``check=False``,
        which returns the failed result instead (``None`` for ``result="output"``). Errors
        that produce no result (bad arguments, a closed host) always raise.
        """
        form = _form(result)
        type_bytes = _text(node_type, "node_type")
        params_bytes = _encode({} if params is None else params, "params")
        input_bytes = None if input is None else _encode(input, "input")
        document, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_execute_as(
            self._use(), _text(tenant, "tenant"), type_bytes, params_bytes, input_bytes, form,
            ctypes.byref(document), ctypes.byref(error),
        )
        if status == PH_OK:
            return _parse_and_free(self._lib.ph_free, document)
        return self._finish_run(status, document, error, check, form == 2)

    def prepare(
        self, node_type: str, params: Union[Dict[str, Any], JSONText, None] = None, tenant: Optional[str] = None
    ) -> "NodeCall":
        """A ``NodeCall`` of ``node_type`` with ``params`` for ``tenant``: the arguments are
        encoded and read once, so each ``NodeCall.execute(input)`` passes only its input. Every
        check (tenant policy, lookup, validation) still runs at each execute."""
        return NodeCall(self, node_type, params, tenant)

    def run_workflow(
        self, workflow: Union[Dict[str, Any], JSONText], tenant: Optional[str] = None, check: bool = True
    ) -> Dict[str, Any]:
        """Validates and runs a workflow (a dict, or its JSON text); returns the
        ``plugin-host run --json`` document. A workflow that fails validation is not run
        (``InvalidParametersError``, the problems in ``.result["problems"]``); a run that fails
        raises with the run document in ``.result`` — unless ``check=False``."""
        encoded = _encode(workflow, "workflow")
        result, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_run_workflow(
            self._use(), _text(tenant, "tenant"), encoded, ctypes.byref(result), ctypes.byref(error)
        )
        return self._finish_run(status, result, error, check)

    # Policies and statistics ----------------------------------------------------------------

    def set_policy(self, policy: Union[None, Dict[str, Any], JSONText]) -> None:
        """Replaces the tenant policies (the policy-file format); ``None`` returns to
        single-tenant mode. An invalid policy raises ``InvalidArgumentError`` (code
        ``POLICY_INVALID``) and the previous policies stay in force."""
        encoded = None if policy is None else _encode(policy, "policy")
        error = ctypes.c_void_p()
        status = self._lib.ph_host_set_policy(self._use(), encoded, ctypes.byref(error))
        self._check(status, error)

    def stats(self) -> Dict[str, Any]:
        """Statistics since the host was created (the CLI's stats document)."""
        stats, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_stats(self._use(), ctypes.byref(stats), ctypes.byref(error))
        return self._finish(status, stats, error)

    # Plumbing -------------------------------------------------------------------------------

    def _use(self) -> int:
        handle = self._handle
        if handle is None:
            raise InvalidArgumentError("INVALID_ARGUMENT", "the host is closed; create a new Host", PH_ERR_INVALID_ARGUMENT)
        return handle

    def _check(self, status: int, error: ctypes.c_void_p) -> None:
        text = take_text(self._lib, error)
        if status != PH_OK:
            raise error_for(status, json.loads(text) if text else None)

    def _finish(self, status: int, document: ctypes.c_void_p, error: ctypes.c_void_p) -> Any:
        text = take_text(self._lib, document)
        self._check(status, error)
        return json.loads(text) if text is not None else None

    def _finish_run(
        self, status: int, result: ctypes.c_void_p, error: ctypes.c_void_p, check: bool, output_only: bool = False
    ) -> Any:
        result_text = take_text(self._lib, result)
        error_text = take_text(self._lib, error)
        document = json.loads(result_text) if result_text is not None else None
        if status == PH_OK:
            return document
        if (document is not None or output_only) and not check:
            return document
        raise error_for(status, json.loads(error_text) if error_text else None, document)


class NodeCall(_Handle):
    """A prepared node call (a ``ph_node_call *``): one node type, its parameters and tenant,
    executed many times with different input. Made by ``Host.prepare``; ``close()`` (or a
    ``with`` block) releases it. Usable from many threads at once. Closing its ``Host`` makes
    it raise ``InvalidArgumentError``."""

    def __init__(self, host: Host, node_type: str, params: Union[Dict[str, Any], JSONText, None], tenant: Optional[str]) -> None:
        self._host = host
        self._lib = host._lib
        self._execute = host._lib.ph_node_call_execute
        self._free = host._lib.ph_free
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        call, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.ph_host_prepare(
            host._use(), _text(tenant, "tenant"), _text(node_type, "node_type"),
            _encode({} if params is None else params, "params"), ctypes.byref(call), ctypes.byref(error),
        )
        host._check(status, error)
        self._handle = call.value

    def execute(self, input: Union[List[Any], JSONText, None] = None, check: bool = True, result: str = "output") -> Any:
        """Runs the node with ``input`` (items, or ``None`` for none). Returns the node's
        output by default (``result="output"``); ``"compact"`` and ``"full"`` as in
        ``Host.execute``. A node that does not succeed raises, unless ``check=False``."""
        form = RESULT_FORMS.get(result) if isinstance(result, str) else None
        if form is None:
            form = _form(result)  # raises, naming the forms
        handle = self._handle
        if handle is None:
            raise InvalidArgumentError("INVALID_ARGUMENT", "the node call is closed; prepare a new one", PH_ERR_INVALID_ARGUMENT)
        document, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._execute(
            handle, None if input is None else _encode(input, "input"), form, ctypes.byref(document), ctypes.byref(error)
        )
        if status == PH_OK:
            return _parse_and_free(self._free, document)
        return self._host._finish_run(status, document, error, check, form == 2)

    __call__ = execute

    def close(self) -> None:
        """Releases the call. Idempotent."""
        handle = self._release()
        if handle is not None:
            self._lib.ph_node_call_destroy(handle)
