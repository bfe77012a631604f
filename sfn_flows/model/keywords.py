"""A misspelt keyword is the user's mistake, so it gets the project's own error naming the
class and the closest keyword, instead of pydantic's bare "Extra inputs are not permitted"."""

from __future__ import annotations

import difflib
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from sfn_flows.errors import DeclarationError


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
    keywords = model.keywords()
    lines = []
    for key in unknown:
        close = difflib.get_close_matches(key, keywords, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"it takes: {', '.join(keywords)}."
        lines.append(f"{label} got an unexpected keyword {key!r}; {hint}")
    for other in errors:
        if other["type"] != "extra_forbidden":
            where = ".".join(str(part) for part in other["loc"]) or "(model)"
            lines.append(f"{label}: {where}: {other['msg']}")
    return DeclarationError("\n".join(lines))
