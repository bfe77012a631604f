"""Syntax of JSONata expressions written as `{% expression %}` strings."""

from __future__ import annotations

from functools import lru_cache


def is_expression(value: object) -> bool:
    """AWS evaluates a string only when it starts with '{%' and ends with '%}' exactly;
    anything else (even with surrounding spaces) is a literal."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


@lru_cache(maxsize=4096)
def expression_error(text: str) -> str | None:
    """None when `text` is a well-formed `{% ... %}` JSONata expression, else what is wrong."""
    if not is_expression(text):
        return "a JSONata expression is written as '{% expression %}'"
    body = text[2:-2].strip()
    if not body:
        return "the JSONata expression between '{%' and '%}' is empty"
    # Imported here: parsing is only needed for JSONata definitions, and the import costs ~25 ms.
    import jsonata

    try:
        jsonata.Jsonata(body)
    except Exception as exc:  # the parser raises its own JException and, on odd input, others
        return f"JSONata syntax error: {exc}"
    return None
