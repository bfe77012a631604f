"""Find the workflows of a project.

Convention: every `*.py` file directly in the workflows folder whose name does not start with
`_` is imported, and every module-level `Workflow` object in it is a workflow of the project.
Modules may import each other by plain name (the folder is on `sys.path` while they load).
Each import has a deadline (import_deadline.py); a module that exits, is interrupted or does
not finish in time is reported by its file and line, like one that raises. One that ignores
the interruptions is given up on (stuck_import.py) when the caller can end the process.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from pydantic import ValidationError

from sfn_flows.errors import DiscoveryError, SfnFlowsError
from sfn_flows.model.workflow import Workflow
from sfn_flows.project.import_deadline import (
    IMPORT_TIMEOUT_ENV,
    ImportTimedOut,
    import_deadline,
    import_timeout_from,
)
from sfn_flows.project.import_guard import HardExit, ImportEffects, ReadStdin, guarded_import
from sfn_flows.project.stuck_import import watch_stuck_import

_DEADLINE_FIX = (
    "a workflow module should only declare workflows: move slow work (network calls, "
    "sleeps, loops) into a function or a Lambda handler, or allow more time with "
    f"`sfn-flows build --import-timeout SECONDS` or {IMPORT_TIMEOUT_ENV}=SECONDS."
)
_IGNORED_FIX = (
    "catch Exception rather than BaseException (or a bare `except:`), so an interruption "
    "can stop the module"
)

# sfn-flows' own code: a project folder may hold it (this repository does), yet it is not
# where a user's module "was running".
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class StuckImport:
    """A workflow module ignored the interruption meant to stop its import."""

    message: str
    interrupted: bool  # by a second Ctrl-C; else by its deadline


OnStuck = Callable[[StuckImport], object]


class ImportInterrupted(DiscoveryError):
    """Ctrl-C (or a KeyboardInterrupt raised by the module) while a workflow module was
    being imported: the whole discovery stops."""


class ImportLeftThreads(DiscoveryError):
    """Workflow modules started threads that still run: the process cannot end normally
    (interpreter exit waits for them), so the caller must end it another way."""

    def __init__(self, message: str, threads: list[threading.Thread]) -> None:
        super().__init__(message)
        self.threads = threads


@dataclass(frozen=True)
class Discovered:
    workflow: Workflow
    source: Path
    variable: str


def discover_workflows(
    folder: Path, *, import_timeout: float | None = None, on_stuck: OnStuck | None = None
) -> list[Discovered]:
    """All workflows in `folder`, sorted by name; DiscoveryError lists every broken module.

    `import_timeout` bounds each module's import (seconds); None takes
    SFN_FLOWS_IMPORT_TIMEOUT from the environment, or the default. `on_stuck` is called,
    from another thread, when a module ignores the interruption at its deadline (for a few
    seconds) or a second Ctrl-C; it should end the process, the only way to stop the import
    (the CLI passes one). Without it the import goes on.
    """
    if not folder.is_dir():
        raise DiscoveryError(
            f"{folder}: no such folder. Run in the project root or pass --workflows DIR."
        )
    timeout = import_timeout_from(os.environ) if import_timeout is None else import_timeout
    found: list[Discovered] = []
    failures: list[str] = []
    left_running: list[threading.Thread] = []
    places = _Places(folder)
    sys.path.insert(0, str(folder.resolve()))
    try:
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            effects = ImportEffects()
            try:
                module = _import(path, timeout, effects, places, on_stuck)
            except ImportInterrupted:
                raise
            except DiscoveryError as exc:
                failures.append(str(exc))
                continue
            finally:
                left_running.extend(effects.threads)
                failures.extend(_effect_problems(path, effects))
            for variable, value in vars(module).items():
                if isinstance(value, Workflow):
                    found.append(Discovered(value, path, variable))
    finally:
        sys.path.remove(str(folder.resolve()))
    found, clashes = _unique(found)
    failures.extend(clashes)
    if left_running:
        raise ImportLeftThreads("\n".join(failures), left_running)
    if failures:
        raise DiscoveryError("\n".join(failures))
    if not found:
        raise DiscoveryError(
            f"{folder}: no workflows found. Declare a module-level Workflow(...) in a "
            f"{folder}/<name>.py file."
        )
    return sorted(found, key=lambda d: d.workflow.name)


def _import(
    path: Path, timeout: float, effects: ImportEffects, places: _Places, on_stuck: OnStuck | None
) -> ModuleType:
    name = f"_sfn_flows_workflows.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DiscoveryError(f"{path}: cannot be imported as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    give_up = None if on_stuck is None else _give_up(on_stuck, path, places, timeout)
    try:
        # The guard outside the deadline and the watch: it checks for threads once theirs
        # are gone.
        with (
            guarded_import(effects),
            watch_stuck_import(timeout, give_up),
            import_deadline(timeout),
        ):
            spec.loader.exec_module(module)
    except ImportTimedOut as exc:
        raise DiscoveryError(_timed_out(path, _stack(exc), places, timeout)) from None
    except KeyboardInterrupt as exc:
        raise ImportInterrupted(_interrupted(path, _stack(exc), places)) from None
    except (SystemExit, HardExit) as exc:
        call = f"os._exit({exc.code})" if isinstance(exc, HardExit) else f"SystemExit({exc.code!r})"
        raise DiscoveryError(
            f"{_at(path, exc)}: the module exited ({call}) while "
            "sfn-flows imported it; a workflow module must not exit. Fix: remove the "
            "sys.exit()/exit()/os._exit() call, or put script code under "
            '`if __name__ == "__main__":`.'
        ) from None
    except ReadStdin as exc:
        raise DiscoveryError(
            f"{_at(path, exc)}: the module read standard input (input(), "
            "sys.stdin) while sfn-flows imported it; a build has no one to answer. Fix: take "
            "the value from a setting or an environment variable, or read it under "
            '`if __name__ == "__main__":`.'
        ) from None
    except SyntaxError as exc:
        raise DiscoveryError(f"{path}:{exc.lineno}: syntax error: {exc.msg}.") from None
    except ValidationError as exc:
        raise DiscoveryError(_validation_message(path, exc)) from None
    except SfnFlowsError as exc:
        raise DiscoveryError(f"{_at(path, exc)}: {exc}") from None
    except BaseException as exc:  # user code can raise anything; report it where it happened
        raise DiscoveryError(f"{_at(path, exc)}: {type(exc).__name__}: {exc}") from None
    return module


def _effect_problems(path: Path, effects: ImportEffects) -> list[str]:
    """What the import left behind that a build cannot go on with."""
    problems = []
    if effects.forks:
        problems.append(
            f"{path}: the module forked the process (os.fork()) while sfn-flows imported it; "
            "the copy stopped after the import. Fix: start processes in a function or a "
            'Lambda handler, or under `if __name__ == "__main__":`.'
        )
    if effects.threads:
        names = ", ".join(repr(thread.name) for thread in effects.threads)
        problems.append(
            f"{path}: the module started thread {names} while sfn-flows imported it, and it "
            "still runs; sfn-flows ends without waiting for it. Fix: start threads in a "
            "function or a Lambda handler, or make them daemon threads."
        )
    return problems


def _give_up(
    on_stuck: OnStuck, path: Path, places: _Places, timeout: float
) -> Callable[[traceback.StackSummary, bool], None]:
    def give_up(stack: traceback.StackSummary, interrupted: bool) -> None:
        message = (
            _interrupted(path, stack, places, ignored=True)
            if interrupted
            else _timed_out(path, stack, places, timeout, ignored=True)
        )
        on_stuck(StuckImport(message, interrupted))

    return give_up


def _timed_out(
    path: Path,
    stack: traceback.StackSummary,
    places: _Places,
    timeout: float,
    *,
    ignored: bool = False,
) -> str:
    return (
        f"{_place(path, stack)}: importing the module did not finish within {timeout:g} s"
        f"{places.still_running(path, stack)}"
        + (
            f"; it ignored the interruption. Fix: {_IGNORED_FIX}; or: {_DEADLINE_FIX}"
            if ignored
            else f". Fix: {_DEADLINE_FIX}"
        )
    )


def _interrupted(
    path: Path, stack: traceback.StackSummary, places: _Places, *, ignored: bool = False
) -> str:
    return (
        f"{_place(path, stack)}: interrupted while importing the module"
        f"{places.still_running(path, stack)}"
        + ("; it ignored the interruption" if ignored else "")
        + "; nothing was built."
    )


class _Places:
    """Which source files are the project's own: under the workflows folder or the project
    root (its parent), outside sfn-flows and the installed libraries (a virtualenv in the
    project holds those too)."""

    def __init__(self, folder: Path) -> None:
        self._roots = (folder.resolve(), folder.resolve().parent)

    def still_running(self, path: Path, stack: traceback.StackSummary) -> str:
        """Where the module's code was when it was stopped, if in another file of the
        project; Python's or a library's code (a sleep, a lock, the deadline's own) is not
        named: the module's line is."""
        own = [frame for frame in stack if self._owns(frame.filename)]
        if not own or Path(own[-1].filename).resolve() == path.resolve():
            return ""
        return f" (it was running {own[-1].filename}:{own[-1].lineno})"

    def _owns(self, filename: str) -> bool:
        if filename.startswith("<"):  # importlib's frozen frames, exec'd strings
            return False
        file = Path(filename).resolve()
        return any(file.is_relative_to(root) for root in self._roots) and not any(
            file.is_relative_to(library) for library in _library_dirs()
        )


@cache
def _library_dirs() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    found = {Path(paths[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return (_PACKAGE_DIR, *sorted(found))


def _stack(exc: BaseException) -> traceback.StackSummary:
    return traceback.extract_tb(exc.__traceback__)


def _place(path: Path, stack: traceback.StackSummary) -> str:
    """`path:line` at the innermost frame in `path`, or just `path` when the module's own
    code had not started."""
    line = _line_in(path, stack)
    return f"{path}:{line}" if line is not None else str(path)


def _at(path: Path, exc: BaseException) -> str:
    return _place(path, _stack(exc))


def _validation_message(path: Path, exc: ValidationError) -> str:
    lines = [f"{_at(path, exc)}: invalid {exc.title}:"]
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(model)"
        lines.append(f"  {field}: {error['msg']}")
    return "\n".join(lines)


def _line_in(path: Path, stack: traceback.StackSummary) -> int | None:
    """The line of `path` in `stack` (the innermost frame in that file)."""
    line = None
    for frame in stack:
        if Path(frame.filename).resolve() == path.resolve() and frame.lineno is not None:
            line = frame.lineno
    return line


def _unique(found: list[Discovered]) -> tuple[list[Discovered], list[str]]:
    """Drop re-exports of the same object; report distinct workflows sharing a name."""
    by_object: dict[int, Discovered] = {}
    for item in found:
        by_object.setdefault(id(item.workflow), item)
    by_name: dict[str, Discovered] = {}
    problems = []
    for item in by_object.values():
        earlier = by_name.setdefault(item.workflow.name, item)
        if earlier is not item:
            problems.append(
                f"{item.source}: workflow name {item.workflow.name!r} is also used by "
                f"{earlier.source} ({earlier.variable}); workflow names must be unique."
            )
    return list(by_object.values()), problems
