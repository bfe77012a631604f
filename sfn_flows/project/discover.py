"""Find the workflows of a project.

Convention: every `*.py` file directly in the workflows folder whose name does not start with
`_` is imported, and every module-level `Workflow` object in it is a workflow of the project.
Modules may import each other by plain name (the folder is on `sys.path` while they load).
Each import has a deadline (import_deadline.py); a module that exits, is interrupted or does
not finish in time is reported by its file and line, like one that raises.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import traceback
from dataclasses import dataclass
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

_DEADLINE_FIX = (
    "a workflow module should only declare workflows: move slow work (network calls, "
    "sleeps, loops) into a function or a Lambda handler, or allow more time with "
    f"`sfn-flows build --import-timeout SECONDS` or {IMPORT_TIMEOUT_ENV}=SECONDS."
)


# The deadline's signal handler is where the interruption is raised, not the user's code.
_DEADLINE_FILE = Path(sys.modules[ImportTimedOut.__module__].__file__ or "").resolve()


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


def discover_workflows(folder: Path, *, import_timeout: float | None = None) -> list[Discovered]:
    """All workflows in `folder`, sorted by name; DiscoveryError lists every broken module.

    `import_timeout` bounds each module's import (seconds); None takes
    SFN_FLOWS_IMPORT_TIMEOUT from the environment, or the default.
    """
    if not folder.is_dir():
        raise DiscoveryError(
            f"{folder}: no such folder. Run in the project root or pass --workflows DIR."
        )
    timeout = import_timeout_from(os.environ) if import_timeout is None else import_timeout
    found: list[Discovered] = []
    failures: list[str] = []
    left_running: list[threading.Thread] = []
    sys.path.insert(0, str(folder.resolve()))
    try:
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            effects = ImportEffects()
            try:
                module = _import(path, timeout, effects)
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


def _import(path: Path, timeout: float, effects: ImportEffects) -> ModuleType:
    name = f"_sfn_flows_workflows.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DiscoveryError(f"{path}: cannot be imported as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        # The guard outside the deadline: it checks for threads once the deadline's are gone.
        with guarded_import(effects), import_deadline(timeout):
            spec.loader.exec_module(module)
    except ImportTimedOut as exc:
        raise DiscoveryError(
            f"{path}:{_line_in(path, exc)}: importing the module did not finish within "
            f"{timeout:g} s{_still_running(path, exc)}. Fix: {_DEADLINE_FIX}"
        ) from None
    except KeyboardInterrupt as exc:
        raise ImportInterrupted(
            f"{path}:{_line_in(path, exc)}: interrupted while importing the module"
            f"{_still_running(path, exc)}; nothing was built."
        ) from None
    except (SystemExit, HardExit) as exc:
        call = f"os._exit({exc.code})" if isinstance(exc, HardExit) else f"SystemExit({exc.code!r})"
        raise DiscoveryError(
            f"{path}:{_line_in(path, exc)}: the module exited ({call}) while "
            "sfn-flows imported it; a workflow module must not exit. Fix: remove the "
            "sys.exit()/exit()/os._exit() call, or put script code under "
            '`if __name__ == "__main__":`.'
        ) from None
    except ReadStdin as exc:
        raise DiscoveryError(
            f"{path}:{_line_in(path, exc)}: the module read standard input (input(), "
            "sys.stdin) while sfn-flows imported it; a build has no one to answer. Fix: take "
            "the value from a setting or an environment variable, or read it under "
            '`if __name__ == "__main__":`.'
        ) from None
    except SyntaxError as exc:
        raise DiscoveryError(f"{path}:{exc.lineno}: syntax error: {exc.msg}.") from None
    except ValidationError as exc:
        raise DiscoveryError(_validation_message(path, exc)) from None
    except SfnFlowsError as exc:
        raise DiscoveryError(f"{path}:{_line_in(path, exc)}: {exc}") from None
    except BaseException as exc:  # user code can raise anything; report it where it happened
        raise DiscoveryError(f"{path}:{_line_in(path, exc)}: {type(exc).__name__}: {exc}") from None
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


def _still_running(path: Path, exc: BaseException) -> str:
    """Where the module's code was when it was stopped, if outside the module itself."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        # Not importlib's frames, nor the deadline's signal handler.
        if not frame.filename.startswith("<") and Path(frame.filename).resolve() != _DEADLINE_FILE
    ]
    if not frames or Path(frames[-1].filename).resolve() == path.resolve():
        return ""
    return f" (it was running {frames[-1].filename}:{frames[-1].lineno})"


def _validation_message(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}:{_line_in(path, exc)}: invalid {exc.title}:"]
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(model)"
        lines.append(f"  {field}: {error['msg']}")
    return "\n".join(lines)


def _line_in(path: Path, exc: BaseException) -> int | str:
    """The line of `path` where `exc` was raised (the innermost frame in that file)."""
    line: int | str = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
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
