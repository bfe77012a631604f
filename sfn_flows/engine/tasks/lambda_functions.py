"""The Lambda functions a test runs in its own process: function name -> handler.

A handler is a callable `(event, context)`, or `"module.function"` found in a folder (the
project's `lambdas/`), imported the first time the function is invoked, never before, and
kept for later invocations as a warm Lambda container keeps it. The modules loaded are kept
for the process (HANDLER_MODULES), by folder, module and the file's modification time and
size: later executions reuse them as invocations reuse a warm container, two folders'
same-named modules stay apart, and an edited file is loaded afresh. Import failures are
reported as Lambda's Python runtime reports them (Runtime.ImportModuleError,
UserCodeSyntaxError, HandlerNotFound, MalformedHandlerName), at each invocation until the
import works.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.tasks.lambda_environment import function_environment
from sfn_flows.engine.tasks.lambda_runtime import (
    FunctionError,
    Handler,
    error_document,
    stack_of,
)


@dataclass(frozen=True, slots=True)
class InProcessFunction:
    """One function: its handler, and its own timeout (None: Lambda's 900 s maximum), memory
    and environment variables (in `os.environ` while its module loads and its handler runs,
    on that thread only: lambda_environment.py)."""

    handler: str | Handler
    timeout_seconds: float | None = None
    memory_mb: int = 128
    environment: Mapping[str, str] | None = None


FunctionSpec = str | Callable[[Any, Any], Any] | InProcessFunction


class LambdaFunctions:
    """The functions by name. Share one instance between executions to import each handler
    module once, as a warm Lambda container does."""

    def __init__(
        self, functions: Mapping[str, FunctionSpec], folder: str | Path | None = None
    ) -> None:
        self._functions: dict[str, InProcessFunction] = {}
        for name, spec in functions.items():
            if isinstance(spec, InProcessFunction):
                function = spec
            elif isinstance(spec, str) or callable(spec):
                function = InProcessFunction(spec)
            else:
                raise EngineUsageError(
                    f"Lambda function {name!r}: {spec!r} is not a handler; give "
                    "'module.function' (found in the lambdas folder) or a callable "
                    "(event, context)."
                )
            if isinstance(function.handler, str) and folder is None:
                raise EngineUsageError(
                    f"Lambda function {name!r} names handler {function.handler!r} but no "
                    "folder to find it in; pass the lambdas folder (lambdas_dir=...)."
                )
            self._functions[name] = function
        self._folder = Path(folder) if folder is not None else None
        self._loaded: dict[str, Handler] = {}
        self._modules: dict[str, ModuleType] = {}  # by module name: its handlers share it
        self._lock = threading.Lock()

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def names(self) -> list[str]:
        return sorted(self._functions)

    def function(self, name: str) -> InProcessFunction:
        return self._functions[name]

    def handler(self, name: str, request_id: str) -> Handler:
        """The callable for function `name`, importing its module on first use."""
        function = self._functions[name]
        spec = function.handler
        if not isinstance(spec, str):
            return spec
        with self._lock:
            loaded = self._loaded.get(spec)
            if loaded is None:
                assert self._folder is not None  # checked in __init__
                # A module reads its function's variables when it loads, as in Lambda.
                with function_environment(function.environment):
                    loaded = _load(self._folder, spec, request_id, self._modules)
                self._loaded[spec] = loaded
        return loaded


def _load(folder: Path, handler: str, request_id: str, modules: dict[str, ModuleType]) -> Handler:
    def failure(error_type: str, message: str, stack: list[str] | None = None) -> FunctionError:
        return FunctionError(error_document(message, error_type, request_id, stack))

    module_name, dot, function_name = handler.rpartition(".")
    if not dot or not module_name:
        raise failure(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
        )
    module = modules.get(module_name)
    if module is None:
        module = _import_module(folder, module_name, failure)
        modules[module_name] = module
    function = getattr(module, function_name, None)
    if not callable(function):
        raise failure(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )
    return function  # type: ignore[no-any-return]


def _import_module(
    folder: Path, module_name: str, failure: Callable[..., FunctionError]
) -> ModuleType:
    path = _module_path(folder, module_name)
    if path is None:
        raise failure(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': No module named '{module_name}'",
        )
    try:
        return HANDLER_MODULES.load(folder, module_name, path)
    except ImportError as error:
        raise failure(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from None
    except SyntaxError as error:
        raise failure(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {error}",
            [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}'],
        ) from None
    except Exception as error:  # the module itself raised while being imported
        raise failure(type(error).__name__, str(error), stack_of(error)) from None


def _module_path(folder: Path, module_name: str) -> Path | None:
    # As Python's importer looks: a package (a/b/__init__.py) before a module (a/b.py).
    base = folder.joinpath(*module_name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


class HandlerModules:
    """Handler modules loaded from their files, kept while the files stay as they were."""

    def __init__(self, limit: int = 256) -> None:
        self._modules: dict[tuple[str, str, int, int], ModuleType] = {}
        # Re-entrant: a module may load a handler while it is being imported.
        self._lock = threading.RLock()
        self._limit = limit

    def load(self, folder: Path, module_name: str, path: Path) -> ModuleType:
        """The module `module_name` of `folder` (at `path`), imported unless kept."""
        stat = path.stat()
        key = (str(folder.resolve()), module_name, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            module = self._modules.get(key)
            if module is not None:
                return module
            module = _import(folder, module_name, path)
            if len(self._modules) >= self._limit:
                self._modules.pop(next(iter(self._modules)))  # the oldest goes
            self._modules[key] = module
            return module


def _import(folder: Path, module_name: str, path: Path) -> ModuleType:
    # A name of its own per folder, so two folders' `handler.py` never meet in sys.modules
    # (dataclasses and pickling look a module up there, so it must be registered).
    import hashlib  # here, not at import: only a test that runs handlers pays for it

    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    unique = f"_sfn_flows_lambda_{digest}_{module_name.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named '{module_name}'")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    # Lambda puts the function's folder on sys.path, so a handler may import its siblings.
    added = str(folder) not in sys.path
    if added:
        sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(unique, None)
        raise
    finally:
        if added and str(folder) in sys.path:
            sys.path.remove(str(folder))
    return module


# The process's handler modules: empty until a handler is first loaded.
HANDLER_MODULES: Final = HandlerModules()
