"""Retry and Catch support shared by the states that may fail: Task, Parallel and Map."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal, Self

from sfn_flows.model.base import CompileContext, Omit, State, Target
from sfn_flows.model.keywords import checked_keywords
from sfn_flows.model.retry import DEFAULT_ERROR_PATH, Catch, Retry


class Recoverable(State):
    retry: list[Retry] | None = None
    catch: list[Catch] | None = None

    special_fields = frozenset({"retry", "catch"})

    @checked_keywords
    def add_retry(
        self,
        errors: Sequence[str] = ("States.ALL",),
        *,
        interval_seconds: int | None = None,
        max_attempts: int | None = None,
        backoff_rate: float | None = None,
        max_delay_seconds: int | None = None,
        jitter_strategy: Literal["FULL", "NONE"] | None = None,
        comment: str | None = None,
    ) -> Self:
        options: dict[str, Any] = {
            "interval_seconds": interval_seconds,
            "max_attempts": max_attempts,
            "backoff_rate": backoff_rate,
            "max_delay_seconds": max_delay_seconds,
            "jitter_strategy": jitter_strategy,
            "comment": comment,
        }
        retrier = Retry(
            error_equals=list(errors), **{k: v for k, v in options.items() if v is not None}
        )
        self.retry = [*(self.retry or []), retrier]
        return self

    @checked_keywords
    def add_catch(
        self,
        handler: Target,
        errors: Sequence[str] = ("States.ALL",),
        *,
        result_path: str | Omit | None = DEFAULT_ERROR_PATH,
        output: Any = None,
        assign: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> Self:
        """On a matching error go to `handler`, with the error at `result_path` ($.error).

        `result_path=None` writes `"ResultPath": null`: the handler gets the state's input and
        the error is dropped. `result_path=OMIT` leaves ResultPath out: AWS's default `$`, the
        handler gets the error output alone. JSONata states have no ResultPath: there the
        default is dropped; shape what the handler receives with `output` instead.
        """
        options: dict[str, Any] = {"output": output, "assign": assign, "comment": comment}
        fields = {k: v for k, v in options.items() if v is not None}
        if not isinstance(result_path, Omit):
            fields["result_path"] = result_path  # None too: it writes "ResultPath": null
        catcher = Catch(error_equals=list(errors), next=handler, **fields)
        self.catch = [*(self.catch or []), catcher]
        return self

    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Target]]:
        yield from super().transitions()
        for index, catcher in enumerate(self.catch or []):
            yield ("Catch", index, "Next"), catcher.next

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.retry:
            body["Retry"] = [r.to_asl() for r in self.retry]
        if self.catch:
            body["Catch"] = [c.to_asl(jsonata=ctx.jsonata) for c in self.catch]
        return body
