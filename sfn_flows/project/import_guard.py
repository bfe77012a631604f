"""What a workflow module's import must not do to the process that builds: end it with
`os._exit()` (no exception, no message, exit status 0), fork it (the copy would go on to
build a second time), leave threads running (a non-daemon thread keeps the process from
ever exiting), or wait for input on stdin (a build has nobody to answer).

The guard is in place only while one module is imported; it puts everything back after.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NoReturn


class HardExit(BaseException):
    """`os._exit(code)` called by the module in the building process.

    A BaseException, like SystemExit, so the module's own `except Exception:` does not
    swallow it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class ReadStdin(BaseException):
    """The module read standard input while it was imported."""


class _NoInput:
    """sys.stdin while a module is imported: reading it raises instead of waiting."""

    closed = False

    def _refuse(self, *args: object) -> NoReturn:
        raise ReadStdin

    read = readline = readlines = __iter__ = __next__ = _refuse

    def fileno(self) -> int:
        # What an in-memory stream answers: code that only probes for a terminal goes on.
        raise io.UnsupportedOperation("fileno")

    def isatty(self) -> bool:
        return False


@dataclass
class ImportEffects:
    """What an import left behind, filled in when the guarded block ends."""

    forks: int = 0
    threads: list[threading.Thread] = field(default_factory=list)


_forks = 0
_fork_hook_installed = False


def _count_fork() -> None:
    global _forks
    _forks += 1


def _watch_forks() -> None:
    # A fork hook cannot be removed again, so it is registered once, on first use (not on
    # import), and only counts.
    global _fork_hook_installed
    if not _fork_hook_installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_parent=_count_fork)
        _fork_hook_installed = True


@contextmanager
def guarded_import(effects: ImportEffects) -> Iterator[None]:
    """Guard the process while the block imports a module; `effects` says, once the block
    ends (also by an exception), what the import left behind."""
    pid = os.getpid()
    real_exit = os._exit
    real_stdin = sys.stdin
    threads_before = set(threading.enumerate())
    _watch_forks()
    forks_before = _forks

    def refuse_exit(status: int) -> NoReturn:
        if os.getpid() != pid:
            real_exit(status)  # a child the module forked ends as it asked
        raise HardExit(status)

    os._exit = refuse_exit
    sys.stdin = _NoInput()
    try:
        yield
    finally:
        if os.getpid() != pid:
            # The module forked and this is the child, done with the module's code: it must
            # not go on to build (and write the same files) next to its parent.
            real_exit(0)
        os._exit = real_exit
        sys.stdin = real_stdin
        effects.forks = _forks - forks_before
        effects.threads = [
            thread
            for thread in threading.enumerate()
            if thread not in threads_before and thread.is_alive() and not thread.daemon
        ]
