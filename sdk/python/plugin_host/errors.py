"""Exceptions raised by the binding, one class per ``ph_status`` (plugin_host/status.h), chosen
from the error's code first (``error_class``).

Every exception carries the host's error document: ``code`` (the stable problem code, e.g.
``NODE_TYPE_NOT_FOUND``), ``message`` (one sentence saying what to do), ``status`` (the numeric
``ph_status``), and ``node`` / ``file`` when the error concerns one. When a node or workflow ran
and failed, ``result`` holds its result document (the ``exec --json`` / ``run --json`` shape);
otherwise it is ``None``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

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


#: The class for each code the embed.h status table names (Sources/PluginEmbed/EmbedStatus.swift).
#: The class follows the code first, so ``execute`` and ``run_workflow`` raise the same class
#: for the same code: a workflow refused because a tenant may not use a node type raises
#: ``PolicyError`` like the refused ``execute``, although the library's status for every refused
#: workflow is PH_ERR_INVALID_PARAMETERS.
_BY_CODE = {
    "NODE_TYPE_NOT_FOUND": NotFoundError,
    "TENANT_UNKNOWN": NotFoundError,
    "VALIDATION_FAILED": InvalidParametersError,
    "INVALID_PARAMETERS": InvalidParametersError,
    "NODE_TYPE_DISABLED_FOR_TENANT": PolicyError,
    "TENANT_VIOLATION": PolicyError,
    "AUDIT_FAILED": PolicyError,
    "INVALID_ARGUMENT": InvalidArgumentError,
    "POLICY_INVALID": InvalidArgumentError,
    "POLICY_TOO_LARGE": InvalidArgumentError,
    "WORKFLOW_TOO_LARGE": InvalidArgumentError,
    "JSON_TOO_DEEP": InvalidArgumentError,
    "EXECUTION_TIMEOUT": NodeTimeoutError,
    "TRANSIENT_ERROR": TransientError,
    "CREDENTIAL_MISSING": CredentialMissingError,
    "UNSUPPORTED": UnsupportedError,
    "CANCELLED": CancelledError,
}


def error_class(code: Optional[str], status: int) -> Type[PluginHostError]:
    """The one mapping from a failure to its exception class, used for every call.

    The code's class when the status table names the code; otherwise the status's (a code
    outside the table is PH_ERR_EXECUTION from ``execute`` and PH_ERR_INVALID_PARAMETERS for a
    workflow that failed validation, e.g. WORKFLOW_CYCLE); an unknown status is an
    ExecutionError, because status.h says new statuses may be added.
    """
    by_code = _BY_CODE.get(code) if code is not None else None
    return by_code or _BY_STATUS.get(status, ExecutionError)


def error_for(status: int, document: Optional[Dict[str, Any]], result: Optional[Dict[str, Any]] = None) -> PluginHostError:
    """The exception for a non-zero status and its error document (class: ``error_class``)."""
    document = document or {}
    code = document.get("code")
    cls = error_class(code if isinstance(code, str) else None, status)
    return cls(
        code=str(code if code is not None else "UNKNOWN"),
        message=str(document.get("message", f"the host returned status {status} without an error document")),
        status=status,
        node=document.get("node"),
        file=document.get("file"),
        result=result,
    )
