"""Finding libplugin_host.so and declaring the embed.h functions to ctypes.

Every function returning a document does so through a ``char **`` out parameter that the
caller must release with ``ph_free``; those are declared ``c_void_p`` (not ``c_char_p``, which
would copy the text and lose the pointer) and read with ``ctypes.string_at``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .errors import LibraryNotFoundError

#: The variable naming the library's path; when set, nothing else is searched.
LIBRARY_VARIABLE = "PLUGIN_HOST_LIBRARY"
#: The name an installed library is loaded by (its SONAME, ``scripts/install.sh``).
SONAME = "libplugin_host.so.1"
#: The development name: the only one a SwiftPM build directory has.
LINK_NAME = "libplugin_host.so"
#: The pkg-config package ``scripts/install.sh`` writes (``PREFIX/lib/pkgconfig/plugin-host.pc``).
PKG_CONFIG_PACKAGE = "plugin-host"

_loaded: Dict[str, ctypes.CDLL] = {}
_lock = threading.Lock()


def find_library() -> str:
    """The library to load: a path, or the SONAME when the system loader knows it.

    The first of these that exists wins, so an explicit choice beats an installation and an
    installation beats a development build:

    1. ``PLUGIN_HOST_LIBRARY``, the path of the library. When set it is the only place looked:
       a wrong value raises ``LibraryNotFoundError`` naming it rather than quietly loading some
       other build, which would leave the caller testing a library they did not choose.
    2. The installed prefix, as pkg-config reports it (when ``pkg-config`` is on ``PATH``):
       ``$(pkg-config --variable=libdir plugin-host)/libplugin_host.so.1``, then
       ``…/libplugin_host.so``. ``PKG_CONFIG_PATH`` reaches a prefix outside pkg-config's default path.
    3. ``libplugin_host.so.1`` through the system loader (the ldconfig cache, ``LD_LIBRARY_PATH``).
    4. When this package is imported from a checkout (an editable install, or ``sdk/python`` on
       ``sys.path``): the checkout's SwiftPM build directories, ``.build/debug`` then
       ``.build/release``.

    When none exists, the ``LibraryNotFoundError`` lists every place looked, in this order,
    and what to do.
    """
    explicit = os.environ.get(LIBRARY_VARIABLE)
    if explicit:
        if os.path.isfile(explicit):
            return explicit
        raise LibraryNotFoundError(
            f"{LIBRARY_VARIABLE} is {explicit!r}, which is not a file: point it at libplugin_host.so "
            f"(e.g. PREFIX/lib/{SONAME} or .build/debug/{LINK_NAME}), or unset it to search the usual places"
        )
    looked: List[str] = [f"{LIBRARY_VARIABLE}: not set"]

    libdir, why_not = _pkg_config_libdir()
    if libdir is None:
        looked.append(f"pkg-config --variable=libdir {PKG_CONFIG_PACKAGE}: {why_not}")
    else:
        for name in (SONAME, LINK_NAME):
            candidate = os.path.join(libdir, name)
            if os.path.isfile(candidate):
                return candidate
            looked.append(f"{candidate} (pkg-config's libdir): no such file")

    try:
        ctypes.CDLL(SONAME)
        return SONAME
    except OSError as error:
        looked.append(f"{SONAME} through the system loader (ldconfig cache, LD_LIBRARY_PATH): {error}")

    checkout = _checkout_root()
    if checkout is None:
        looked.append("a SwiftPM build directory: none, this package is not imported from a checkout")
    else:
        for kind in ("debug", "release"):
            candidate = checkout / ".build" / kind / LINK_NAME
            if candidate.is_file():
                return str(candidate)
            looked.append(f"{candidate}: no such file")

    places = "\n".join(f"  {number}. {place}" for number, place in enumerate(looked, start=1))
    raise LibraryNotFoundError(
        f"libplugin_host.so not found. Looked, in order:\n{places}\n"
        f"Set {LIBRARY_VARIABLE} to the library's path, install it with scripts/install.sh (then "
        f"pkg-config or the loader finds it; add PREFIX/lib/pkgconfig to PKG_CONFIG_PATH for a "
        f"prefix outside pkg-config's search path), or run `swift build` in the checkout."
    )


def _pkg_config_libdir() -> Tuple[Optional[str], str]:
    """pkg-config's ``libdir`` for the installed host, or None and why there is none."""
    executable = shutil.which("pkg-config")
    if executable is None:
        return None, "pkg-config is not on PATH"
    try:
        completed = subprocess.run(
            [executable, "--variable=libdir", PKG_CONFIG_PACKAGE],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"could not run {executable}: {error}"
    libdir = completed.stdout.strip()
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        return None, f"{PKG_CONFIG_PACKAGE}.pc not found" + (f" ({detail[0]})" if detail else "")
    if not libdir:
        return None, f"{PKG_CONFIG_PACKAGE}.pc has no libdir variable"
    return libdir, ""


def _checkout_root() -> Optional[Path]:
    """The repository this package was imported from (``sdk/python/plugin_host`` inside it), or
    None for an installed copy, which has no build directory to look in."""
    root = Path(__file__).resolve().parents[3]
    if (root / "Package.swift").is_file() and (root / "sdk" / "python" / "pyproject.toml").is_file():
        return root
    return None


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
            source = f" ({LIBRARY_VARIABLE})" if os.environ.get(LIBRARY_VARIABLE) == path else ""
            raise LibraryNotFoundError(f"cannot load {path}{source}: {error}") from error
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
        "ph_host_execute_as": (status, [handle, text, text, text, text, ctypes.c_int, out, out]),
        "ph_host_prepare": (status, [handle, text, text, text, out, out]),
        "ph_node_call_execute": (status, [handle, text, ctypes.c_int, out, out]),
        "ph_node_call_destroy": (None, [handle]),
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
