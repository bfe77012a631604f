"""The Choice state: `Choice("Route").when(cond, a).when(other, b).otherwise(c)`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Self

from pydantic import Field, PrivateAttr

from sfn_flows.model.base import AslModel, Chain, CompileContext, State, Target, entry, target_name
from sfn_flows.model.conditions import Condition, jsonata
from sfn_flows.model.keywords import checked_keywords


class ChoiceRule(AslModel):
    condition: Condition = Field(exclude=True)
    next: Target = Field(exclude=True)
    assign: dict[str, Any] | None = None
    output: Any = None
    comment: str | None = None

    def to_asl(self) -> dict[str, Any]:
        body = self.condition.to_asl()
        body.update(self.asl_fields())
        body["Next"] = target_name(self.next)
        return body


class Choice(State):
    type_name: ClassVar[str] = "Choice"
    can_continue: ClassVar[bool] = False

    input_path: str | None = None
    output_path: str | None = None
    output: Any = None

    # No default_factory: pydantic inspects a factory's signature per instance (slow).
    _rules: list[ChoiceRule] = PrivateAttr()
    _default: Target | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self._rules = []

    @checked_keywords
    def when(
        self,
        condition: Condition | str,
        then: Target | Chain,
        *,
        assign: dict[str, Any] | None = None,
        output: Any = None,
        comment: str | None = None,
    ) -> Self:
        """Go to `then` when `condition` holds. A str condition is a JSONata expression."""
        test = jsonata(condition) if isinstance(condition, str) else condition
        options: dict[str, Any] = {"assign": assign, "output": output, "comment": comment}
        target: Target = entry(then) if isinstance(then, Chain) else then
        self._rules.append(
            ChoiceRule(
                condition=test,
                next=target,
                **{k: v for k, v in options.items() if v is not None},
            )
        )
        return self

    def otherwise(self, then: Target | Chain) -> Self:
        """Go to `then` when no rule matches (otherwise the execution fails NoChoiceMatched)."""
        self._default = entry(then) if isinstance(then, Chain) else then
        return self

    @property
    def rules(self) -> tuple[ChoiceRule, ...]:
        return tuple(self._rules)

    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Target]]:
        for index, rule in enumerate(self._rules):
            yield ("Choices", index, "Next"), rule.next
        if self._default is not None:
            yield ("Default",), self._default

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        body: dict[str, Any] = {"Choices": [rule.to_asl() for rule in self._rules]}
        if self._default is not None:
            body["Default"] = target_name(self._default)
        return body
