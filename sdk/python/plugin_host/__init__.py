"""plugin_host — the plugin host embedded in Python, through ctypes and libplugin_host.so.

    from plugin_host import Host

    with Host() as host:
        host.load()
        print(host.execute("math.add", {"a": 2, "b": 3})["output"])   # {'result': 5}

See README.md beside this package for the library search order, errors and threads.
"""

from ._library import find_library, load_library
from ._version import __version__
from .errors import (
    CancelledError,
    CredentialMissingError,
    ExecutionError,
    InternalError,
    InvalidArgumentError,
    InvalidParametersError,
    LibraryNotFoundError,
    NodeTimeoutError,
    NotFoundError,
    PluginHostError,
    PolicyError,
    TransientError,
    UnsupportedError,
)
from .host import Host, NodeCall


def version(library=None) -> str:
    """The host library's version, e.g. ``"0.1.0 (ABI 1.0)"``."""
    return load_library(library).ph_version().decode("utf-8")


__all__ = [
    "__version__",
    "Host",
    "NodeCall",
    "version",
    "find_library",
    "load_library",
    "PluginHostError",
    "InvalidParametersError",
    "ExecutionError",
    "TransientError",
    "NodeTimeoutError",
    "CredentialMissingError",
    "UnsupportedError",
    "CancelledError",
    "NotFoundError",
    "InvalidArgumentError",
    "PolicyError",
    "InternalError",
    "LibraryNotFoundError",
]
