"""Finding libplugin_host.so and declaring the embed.h functions to ctypes.

Every function returning a document does so through a ``char **`` out parameter that the
caller must release with ``ph_free``; those are declared ``c_void_p`` (not ``c_char_p``, which
would copy the text and lose the pointer) and read with ``ctypes.string_at``.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Dict, Optional

from .errors import LibraryNotFoundError

LIBRARY_NAME = "libplugin_host.so"

_loaded: Dict[str, ctypes.CDLL] = {}
_lock = threading.Lock()


def find_library() -> str:
    """The path of libplugin_host.so to load.

    In order: ``PLUGIN_HOST_LIBRARY`` (a file path), ``PLUGIN_HOST_LIB_DIR`` (a directory
    holding it), else this checkout's SwiftPM build directory (``.build/debug`` or
    ``.build/release``, the more recently built when both exist).
    """
    explicit = os.environ.get("PLUGIN_HOST_LIBRARY")
    if explicit:
        return explicit
    directory = os.environ.get("PLUGIN_HOST_LIB_DIR")
    if directory:
        return str(Path(directory) / LIBRARY_NAME)
    root = Path(__file__).resolve().parents[3]  # sdk/python/plugin_host/_library.py
    candidates = [root / ".build" / kind / LIBRARY_NAME for kind in ("debug", "release")]
    existing = [path for path in candidates if path.is_file()]
    if not existing:
        raise LibraryNotFoundError(
            f"{LIBRARY_NAME} not found: set PLUGIN_HOST_LIBRARY to its path or PLUGIN_HOST_LIB_DIR to its "
            f"directory, or run `swift build` in {root} (looked in {', '.join(str(c) for c in candidates)})"
        )
    return str(max(existing, key=lambda path: path.stat().st_mtime))


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads the library at ``path`` (default: ``find_library()``) once per process and declares
    the embed.h prototypes on it."""
    path = str(path) if path is not None else find_library()
    with _lock:
        library = _loaded.get(path)
        if library is not None:
            return library
        try:
            library = ctypes.CDLL(path)
        except OSError as error:
            raise LibraryNotFoundError(f"cannot load {path}: {error}") from error
        _declare(library)
        _loaded[path] = library
        return library


def _declare(lib: ctypes.CDLL) -> None:
    status = ctypes.c_int32
    handle = ctypes.c_void_p
    text = ctypes.c_char_p
    out = ctypes.POINTER(ctypes.c_void_p)
    prototypes = {
        "ph_host_create": (status, [text, out, out]),
        "ph_host_destroy": (None, [handle]),
        "ph_host_scan": (status, [handle, text, out, out]),
        "ph_host_load": (status, [handle, out, out]),
        "ph_host_list": (status, [handle, out, out]),
        "ph_host_execute": (status, [handle, text, text, text, text, out, out]),
        "ph_host_run_workflow": (status, [handle, text, text, out, out]),
        "ph_host_set_policy": (status, [handle, text, out]),
        "ph_host_stats": (status, [handle, out, out]),
        "ph_free": (None, [ctypes.c_void_p]),
        "ph_version": (text, []),
    }
    for name, (restype, argtypes) in prototypes.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


def take_text(lib: ctypes.CDLL, pointer: ctypes.c_void_p) -> Optional[str]:
    """The text a host function returned through an out parameter, freed with ph_free."""
    if not pointer.value:
        return None
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        lib.ph_free(pointer.value)
        pointer.value = None
