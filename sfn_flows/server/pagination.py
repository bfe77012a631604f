"""maxResults and nextToken, as the List actions page their answers.

A token holds the key of the last item given (not an offset), so items added or deleted between
two calls shift nothing: the next page starts after that key in the listing's order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from sfn_flows.server.errors import ApiError
from sfn_flows.server.requests import optional_int, optional_string

T = TypeVar("T")

DEFAULT_PAGE: Final = 100
MOST_PAGE: Final = 1000
_TOKEN_MAX: Final = 1024


def page_request(
    body: Mapping[str, Any], *, most: int = MOST_PAGE, default: int = DEFAULT_PAGE
) -> tuple[int, str | None]:
    """(page size, token) of a List request; maxResults 0 or absent means the default."""
    size = optional_int(body, "maxResults", least=0, most=most) or default
    token = optional_string(body, "nextToken", most=_TOKEN_MAX, least=1)
    return size, token


def page(
    items: Sequence[T], key: Callable[[T], Any], size: int, token: str | None
) -> tuple[list[T], str | None]:
    """One page of `items` (already in the listing's order, `key` rising along it), and the
    token of the next page (None on the last)."""
    start = 0
    if token is not None:
        after = _decode(token)
        try:
            while start < len(items) and _sort_key(key(items[start])) <= after:
                start += 1
        except TypeError:  # a token of another listing: its key does not compare
            raise _invalid(token) from None
    chosen = list(items[start : start + size])
    if start + size >= len(items):
        return chosen, None
    return chosen, _encode(_sort_key(key(chosen[-1])))


def paged_answer(
    member: str, items: list[dict[str, Any]], next_token: str | None
) -> dict[str, Any]:
    """A List action's answer: the items under `member`, and nextToken unless it is the last."""
    answer: dict[str, Any] = {member: items}
    if next_token is not None:
        answer["nextToken"] = next_token
    return answer


def descending(number: float) -> float:
    """A key that rises as `number` falls (for listings newest first)."""
    return -number


def _sort_key(value: Any) -> list[Any]:
    return list(value) if isinstance(value, tuple | list) else [value]


def _encode(key: list[Any]) -> str:
    text = json.dumps(key, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(token: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        key = None
    if not isinstance(key, list) or not key:
        raise _invalid(token)
    return key


def _invalid(token: str) -> ApiError:
    return ApiError(
        "InvalidToken",
        f"Invalid Token: '{token[:100]}': give the nextToken of the previous answer as it "
        "was, with the same request.",
    )
