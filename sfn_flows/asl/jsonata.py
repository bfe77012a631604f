"""The one rule for JSONata in ASL: which strings are expressions, and their text.

A string value is a JSONata expression when it starts with `{%` and ends with `%}`, with
nothing before the opening or after the closing delimiter. Step Functions keeps
`" {% $states.input %} "` as the literal string it is (recorded against AWS in the
conformance corpus, `outputdecl/test_output.py::...[BASE_LITERALS]`); LocalStack's ASL lexer
reads the same token, `"{%` ... `%}"`. Whitespace between the delimiters and the expression
is not part of the expression: AWS quotes `{% {'foo': 'bar'} %}` as `{'foo': 'bar'}` in its
error causes.
"""

from __future__ import annotations

import sys
from typing import Final

OPEN: Final = "{%"
CLOSE: Final = "%}"


def is_jsonata(value: object) -> bool:
    """Is `value` a `{% ... %}` expression string (not a literal) in a JSONata field?"""
    # At least "{%%}": in "{%}" the two delimiters would share the '%'.
    return (
        isinstance(value, str)
        and len(value) >= len(OPEN) + len(CLOSE)
        and value.startswith(OPEN)
        and value.endswith(CLOSE)
    )


def expression_text(value: str) -> str:
    """The expression between the delimiters, without surrounding whitespace.

    Raises ValueError for a string that `is_jsonata` does not accept.
    """
    if not is_jsonata(value):
        raise ValueError(
            f"not a JSONata expression (written '{OPEN} expression {CLOSE}'): {value!r}"
        )
    return value[len(OPEN) : -len(CLOSE)].strip()


def opens_jsonata(value: object) -> bool:
    """Does `value` start like an expression (maybe one left unclosed, hence a literal)?"""
    return isinstance(value, str) and value.startswith(OPEN)


def load_library() -> None:
    """Import jsonata-python without its side effect on the process: its first import raises
    Python's recursion limit to 10,000 for everyone (jsonata/jsonata.py,
    `_static_initializer`). A test process keeps its own limit, and nothing here needs more:
    evaluation depth is bounded far below it. Call it before `import jsonata`."""
    if "jsonata" in sys.modules:
        return
    limit = sys.getrecursionlimit()
    try:
        import jsonata  # noqa: F401
    finally:
        sys.setrecursionlimit(limit)
