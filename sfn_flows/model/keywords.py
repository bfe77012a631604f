"""A misspelt keyword is the user's mistake, so it gets the project's own error naming the
class (or builder method) and the closest keyword, instead of pydantic's bare "Extra inputs
are not permitted" or Python's bare "unexpected keyword argument"."""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel, ValidationError

from sfn_flows.errors import DeclarationError

_P = ParamSpec("_P")
_R = TypeVar("_R")
_Self = TypeVar("_Self")


class KeywordChecked(BaseModel):
    """Base of the models users declare with keywords (states, policies, Workflow, ...)."""

    # Fields a user never passes (filled in by the model itself); never suggested.
    internal_keywords: ClassVar[frozenset[str]] = frozenset()
    # Declared as `Pass("Start", ...)`: messages show the name where the user wrote it.
    positional_name: ClassVar[bool] = False

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            error = unexpected_keywords(type(self), self.declared_as(data), exc)
            if error is None:
                raise
            raise error from None

    @classmethod
    def declared_as(cls, data: dict[str, Any]) -> str:
        """How the object reads in the user's code, for messages: `Retry`, `Pass('Start')`."""
        name = data.get("name")
        if cls.positional_name and isinstance(name, str):
            return f"{cls.__name__}({name!r})"
        return cls.__name__

    @classmethod
    def keywords(cls) -> list[str]:
        return [name for name in cls.model_fields if name not in cls.internal_keywords]


def unexpected_keywords(
    model: type[KeywordChecked], label: str, exc: ValidationError
) -> DeclarationError | None:
    """A DeclarationError for the keywords `model` does not take, or None if there are none."""
    errors = exc.errors()
    unknown = [
        str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1
    ]
    if not unknown:
        return None
    lines = _unknown_lines(label, unknown, model.keywords())
    for other in errors:
        if other["type"] != "extra_forbidden":
            where = ".".join(str(part) for part in other["loc"]) or "(model)"
            lines.append(f"{label}: {where}: {other['msg']}")
    return DeclarationError("\n".join(lines))


def checked_keywords(
    method: Callable[Concatenate[_Self, _P], _R],
) -> Callable[Concatenate[_Self, _P], _R]:
    """Wrap a builder method (`add_retry`, `when`, ...) so that a keyword it does not take is
    a DeclarationError naming the object, the method and the closest keyword."""
    keywords = [
        parameter.name
        for parameter in list(inspect.signature(method).parameters.values())[1:]
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    ]
    known = frozenset(keywords)

    @functools.wraps(method)
    def checked(self: _Self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not known.issuperset(kwargs):
            unknown = [key for key in kwargs if key not in known]
            label = f"{self!r}.{method.__name__}()"
            raise DeclarationError("\n".join(_unknown_lines(label, unknown, keywords)))
        return method(self, *args, **kwargs)

    return checked


def _unknown_lines(label: str, unknown: Iterable[str], keywords: list[str]) -> list[str]:
    lines = []
    for key in unknown:
        close = difflib.get_close_matches(key, keywords, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"it takes: {', '.join(keywords)}."
        lines.append(f"{label} got an unexpected keyword {key!r}; {hint}")
    return lines
