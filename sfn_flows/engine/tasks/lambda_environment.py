"""A Lambda function's environment variables while its handler runs in this process.

Lambda gives each function a process of its own; here the handlers of many functions share one
process (a test's, or the engine server's) and may run at the same time on different threads.
So `os.environ` gets a per-thread overlay, installed the first time a function's environment
is applied (never at import): inside `function_environment(variables)` the thread reads and
writes its function's variables over the process's, and every other thread sees `os.environ`
as it was. The object stays the same (modules that did `from os import environ` see the
overlay too); only its class changes. A child process a handler starts inherits the
process's environment, not the overlay.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

_local = threading.local()
_install_lock = threading.Lock()
_REMOVED: Final = object()  # a variable the handler deleted while its overlay is active


def _overlay() -> dict[str, object] | None:
    overlay: dict[str, object] | None = getattr(_local, "variables", None)
    return overlay


class _OverlaidEnviron(os._Environ[str]):
    """os.environ, with the current thread's function variables over the process's."""

    def __getitem__(self, key: str) -> str:
        overlay = _overlay()
        if overlay is not None and key in overlay:
            value = overlay[key]
            if value is _REMOVED:
                raise KeyError(key)
            assert isinstance(value, str)
            return value
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: str) -> None:
        overlay = _overlay()
        if overlay is None:
            super().__setitem__(key, value)
            return
        self.encodekey(key)  # the type checks os.environ makes
        self.encodevalue(value)
        overlay[key] = value

    def __delitem__(self, key: str) -> None:
        overlay = _overlay()
        if overlay is None:
            super().__delitem__(key)
            return
        if key not in self:
            raise KeyError(key)
        overlay[key] = _REMOVED

    def __iter__(self) -> Iterator[str]:
        overlay = _overlay()
        if overlay is None:
            yield from super().__iter__()
            return
        seen = set(overlay)
        for key in list(super().__iter__()):
            if key not in seen:
                yield key
        for key, value in list(overlay.items()):
            if value is not _REMOVED:
                yield key

    def __len__(self) -> int:
        if _overlay() is None:
            return super().__len__()
        return sum(1 for _ in self)


def _install() -> None:
    with _install_lock:
        if not isinstance(os.environ, _OverlaidEnviron):
            os.environ.__class__ = _OverlaidEnviron


@contextmanager
def function_environment(variables: Mapping[str, str] | None) -> Iterator[None]:
    """On this thread, `os.environ` holds `variables` over the process's environment until the
    block ends; what the block sets or deletes in it ends with it too. None changes nothing
    (a function without variables sees the process's environment, and may change it)."""
    if variables is None:
        yield
        return
    _install()
    previous = _overlay()
    _local.variables = dict(variables)
    try:
        yield
    finally:
        _local.variables = previous
