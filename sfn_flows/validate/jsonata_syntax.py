"""Syntax of JSONata expressions written as `{% expression %}` strings."""

from __future__ import annotations

from functools import lru_cache

from sfn_flows.asl.jsonata import expression_text, is_jsonata, load_library


@lru_cache(maxsize=4096)
def expression_error(text: str) -> str | None:
    """None when `text` is a well-formed `{% ... %}` JSONata expression, else what is wrong."""
    if not is_jsonata(text):
        return "a JSONata expression is written as '{% expression %}'"
    body = expression_text(text)
    if not body:
        return "the JSONata expression between '{%' and '%}' is empty"
    # Imported here: parsing is only needed for JSONata definitions, and the import costs ~25 ms.
    load_library()
    import jsonata

    try:
        jsonata.Jsonata(body)
    except Exception as exc:  # the parser raises its own JException and, on odd input, others
        return f"JSONata syntax error: {exc}"
    return None
