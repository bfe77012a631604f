"""Does a Lambda handler exist in lambdas/? Answered by reading its module's source, never
by importing it: a handler module may connect to services, read secrets or exit when
imported, and it is written for the Lambda runtime's Python, not the one running the build.

The lookup follows Lambda's Python runtime: `a.b.fn` imports module `a.b` (a/b/__init__.py
before a/b.py, as Python's importer does) and takes its attribute `fn`.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Modules Lambda can import but whose names cannot be read from source.
_EXTENSION_PATTERNS = ("{}.so", "{}.*.so")
_SKIPPED_DIRS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class HandlerProblem:
    message: str
    fix: str


def check_handler(
    lambdas_dir: Path, handler: str, *, runtime: str | None = None
) -> HandlerProblem | None:
    """None when `handler` ('module.function') names a module-level name of a module in
    `lambdas_dir`; otherwise what is missing or does not parse, the closest names and the
    fix. `runtime` is the Lambda runtime the handlers run on ('python3.13')."""
    module, _, function = handler.rpartition(".")
    parts = module.split(".")
    wanted = lambdas_dir.joinpath(*parts).with_suffix(".py")
    define = f"`def {function}(event, context):`"
    if not lambdas_dir.is_dir():
        return HandlerProblem(
            f"{lambdas_dir}: no such folder, so handler {handler!r} cannot be found.",
            f"create {wanted} with {define}, or give the folder of the Lambda handlers "
            "(`sfn-flows build --lambdas DIR`).",
        )
    path = _module_file(lambdas_dir, parts)
    if path is None:
        closest = difflib.get_close_matches(module, sorted(_modules_in(lambdas_dir)), n=3)
        package = lambdas_dir.joinpath(*parts, "__init__.py")
        return HandlerProblem(
            f"handler {handler!r}: no module {wanted} (or package {package}){_closest(closest)}.",
            f"create {wanted} with {define}"
            + (f", or set handler='{closest[0]}.{function}'" if closest else "")
            + ".",
        )
    if path.suffix != ".py":
        return None
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except OSError as exc:
        return HandlerProblem(
            f"handler {handler!r}: {path} cannot be read ({exc.strerror}).",
            "make the file readable.",
        )
    except (SyntaxError, ValueError, RecursionError) as exc:
        return _unparsable(handler, path, exc, runtime)
    names = _module_names(tree)
    if names is None or function in names:
        return None
    closest = difflib.get_close_matches(function, sorted(names), n=3)
    return HandlerProblem(
        f"handler {handler!r}: {path} has no module-level function {function!r}"
        f"{_closest(closest)}.",
        f"define {define} at the top level of {path}"
        + (f", or set handler='{module}.{closest[0]}'" if closest else "")
        + ".",
    )


def _unparsable(handler: str, path: Path, exc: Exception, runtime: str | None) -> HandlerProblem:
    """An error, not a warning: a handler that does not parse fails every invocation once
    deployed. A newer runtime may know syntax this Python does not: the build must then run
    on a Python at least as new as the runtime's."""
    if isinstance(exc, SyntaxError):
        where = f"{path}:{exc.lineno or '?'}" + (f":{exc.offset}" if exc.offset else "")
        reason = f"{where}: syntax error: {exc.msg}"
    elif isinstance(exc, RecursionError):
        reason = f"{path}: nested too deeply to parse"
    else:  # ValueError: null bytes
        reason = f"{path}: does not parse: {exc}"
    this = f"{sys.version_info.major}.{sys.version_info.minor}"
    wanted = _runtime_version(runtime)
    needed = f"Python {wanted[0]}.{wanted[1]}" if wanted else "the Lambda runtime's Python"
    message = f"handler {handler!r}: {reason}. The build parses with Python {this}"
    if wanted is None or sys.version_info[:2] < wanted:
        message += f"; newer syntax needs a build on {needed} or later"
        message += f" (the Lambda runtime is {runtime})." if runtime else "."
    else:
        message += "."
    return HandlerProblem(
        message,
        f"correct the syntax; if the file is right for the Lambda runtime, run `sfn-flows "
        f"build` on {needed} or later.",
    )


def _runtime_version(runtime: str | None) -> tuple[int, int] | None:
    match = re.fullmatch(r"python(\d+)\.(\d+)", runtime or "")
    return (int(match[1]), int(match[2])) if match else None


def _closest(names: list[str]) -> str:
    return f" (closest: {', '.join(repr(n) for n in names)})" if names else ""


def _module_file(lambdas_dir: Path, parts: list[str]) -> Path | None:
    folder = lambdas_dir.joinpath(*parts[:-1])
    last = parts[-1]
    package = folder / last / "__init__.py"
    if package.is_file():
        return package
    module = folder / f"{last}.py"
    if module.is_file():
        return module
    for pattern in _EXTENSION_PATTERNS:
        extensions = sorted(folder.glob(pattern.format(last)))
        if extensions:
            return extensions[0]
    return None


def _modules_in(lambdas_dir: Path) -> Iterator[str]:
    for path in lambdas_dir.rglob("*.py"):
        relative = path.relative_to(lambdas_dir)
        if any(part in _SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        parts = relative.with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            yield ".".join(parts)


def _module_names(tree: ast.Module) -> set[str] | None:
    """The names a module binds at its top level; None when they cannot be known from the
    source (`from x import *`, a module-level `__getattr__`)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        # `global name` in a function: the function may bind it at module level.
        if isinstance(node, ast.Global):
            names.update(node.names)
    for statement in _top_level(tree.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
        else:
            names.update(_bound_by(statement))
    return None if "__getattr__" in names else names


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run in the module's namespace: those of if/try/with/for/while/match
    blocks too, not those of function or class bodies."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(statement, field, []))
        for handler in getattr(statement, "handlers", []):
            yield from _top_level(handler.body)
        for case in getattr(statement, "cases", []):
            yield from _top_level(case.body)


def _bound_by(statement: ast.stmt) -> Iterator[str]:
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AugAssign | ast.For | ast.AsyncFor | ast.AnnAssign):
        # An annotation without a value (`handler: Callable`) binds nothing.
        if not isinstance(statement, ast.AnnAssign) or statement.value is not None:
            targets = [statement.target]
    elif isinstance(statement, ast.With | ast.AsyncWith):
        targets = [item.optional_vars for item in statement.items if item.optional_vars]
    for target in targets:
        yield from _names_in_target(target)
    # `(handler := make())` at module level binds too.
    for node in ast.walk(statement):
        if isinstance(node, ast.NamedExpr):
            yield node.target.id


def _names_in_target(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _names_in_target(element)
    elif isinstance(target, ast.Starred):
        yield from _names_in_target(target.value)
