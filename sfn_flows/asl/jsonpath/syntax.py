"""The syntax check the validator runs on every path of a definition."""

from __future__ import annotations

from functools import lru_cache

from sfn_flows.asl.jsonpath.lexical import SIMPLE_PATH_RE
from sfn_flows.asl.jsonpath.parser import Scanner


@lru_cache(maxsize=8192)
def path_error(expr: str, *, reference: bool = False) -> str | None:
    """Return ``None`` if *expr* is a path AWS accepts, else why it is not.

    With ``reference=True`` the stricter rules for reference paths apply
    (``ResultPath``, Choice ``Variable``, ``...Path`` comparison operands):
    only ``.name``, ``['name']`` and ``[n]`` segments after the root.
    """
    if SIMPLE_PATH_RE.match(expr):
        return None
    trimmed = expr.strip(" ")
    if trimmed != expr:
        # Jayway, the JSONPath engine AWS runs, trims spaces around a path before compiling it.
        return path_error(trimmed, reference=reference)
    result = Scanner(expr, reference).run()
    return result if isinstance(result, str) else None
