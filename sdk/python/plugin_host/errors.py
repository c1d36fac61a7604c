"""Exceptions raised by the binding, one class per ``ph_status`` (plugin_host/status.h).

Every exception carries the host's error document: ``code`` (the stable problem code, e.g.
``NODE_TYPE_NOT_FOUND``), ``message`` (one sentence saying what to do), ``status`` (the numeric
``ph_status``), and ``node`` / ``file`` when the error concerns one. When a node or workflow ran
and failed, ``result`` holds its result document (the ``exec --json`` / ``run --json`` shape);
otherwise it is ``None``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

PH_OK = 0
PH_ERR_INVALID_PARAMETERS = 1
PH_ERR_EXECUTION = 2
PH_ERR_TRANSIENT = 3
PH_ERR_TIMEOUT = 4
PH_ERR_CREDENTIAL_MISSING = 5
PH_ERR_UNSUPPORTED = 6
PH_ERR_CANCELLED = 7
PH_ERR_NOT_FOUND = 8
PH_ERR_INVALID_ARGUMENT = 9
PH_ERR_POLICY = 10
PH_ERR_INTERNAL = 11


class PluginHostError(Exception):
    """A call into the host did not succeed."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        node: Optional[str] = None,
        file: Optional[str] = None,
        result: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.node = node
        self.file = file
        self.result = result


class InvalidParametersError(PluginHostError):
    """PH_ERR_INVALID_PARAMETERS: parameters failed the schema (VALIDATION_FAILED) or the node
    refused them (INVALID_PARAMETERS); also a workflow that failed validation."""


class ExecutionError(PluginHostError):
    """PH_ERR_EXECUTION: the node (or a workflow node) ran and failed, or any code without a
    more specific status."""


class TransientError(PluginHostError):
    """PH_ERR_TRANSIENT: a passing failure; trying again may succeed."""


class NodeTimeoutError(PluginHostError):
    """PH_ERR_TIMEOUT: the node gave up waiting (EXECUTION_TIMEOUT)."""


class CredentialMissingError(PluginHostError):
    """PH_ERR_CREDENTIAL_MISSING: the node needs a credential that was not supplied."""


class UnsupportedError(PluginHostError):
    """PH_ERR_UNSUPPORTED: the node or feature is not supported by this plugin build."""


class CancelledError(PluginHostError):
    """PH_ERR_CANCELLED: the node stopped because it was cancelled."""


class NotFoundError(PluginHostError):
    """PH_ERR_NOT_FOUND: no such node type (NODE_TYPE_NOT_FOUND) or tenant (TENANT_UNKNOWN)."""


class InvalidArgumentError(PluginHostError, ValueError):
    """PH_ERR_INVALID_ARGUMENT: malformed JSON, a value of the wrong shape, an unknown option,
    an invalid policy (POLICY_INVALID), or a closed host."""


class PolicyError(PluginHostError):
    """PH_ERR_POLICY: a tenant policy forbids the call (NODE_TYPE_DISABLED_FOR_TENANT,
    TENANT_VIOLATION, AUDIT_FAILED)."""


class InternalError(PluginHostError):
    """PH_ERR_INTERNAL: the host itself failed; report it as a bug."""


class LibraryNotFoundError(OSError):
    """libplugin_host.so could not be found or loaded (see ``plugin_host.find_library``)."""


_BY_STATUS = {
    PH_ERR_INVALID_PARAMETERS: InvalidParametersError,
    PH_ERR_EXECUTION: ExecutionError,
    PH_ERR_TRANSIENT: TransientError,
    PH_ERR_TIMEOUT: NodeTimeoutError,
    PH_ERR_CREDENTIAL_MISSING: CredentialMissingError,
    PH_ERR_UNSUPPORTED: UnsupportedError,
    PH_ERR_CANCELLED: CancelledError,
    PH_ERR_NOT_FOUND: NotFoundError,
    PH_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    PH_ERR_POLICY: PolicyError,
    PH_ERR_INTERNAL: InternalError,
}


def error_for(status: int, document: Optional[Dict[str, Any]], result: Optional[Dict[str, Any]] = None) -> PluginHostError:
    """The exception for a non-zero status and its error document. An unknown status is an
    ExecutionError: status.h says new codes may be added."""
    cls = _BY_STATUS.get(status, ExecutionError)
    document = document or {}
    return cls(
        code=str(document.get("code", "UNKNOWN")),
        message=str(document.get("message", f"the host returned status {status} without an error document")),
        status=status,
        node=document.get("node"),
        file=document.get("file"),
        result=result,
    )
