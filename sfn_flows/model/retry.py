"""Error handling: Retry and Catch policies attached to Task, Parallel and Map states."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sfn_flows.model.base import AslModel, State, Target, target_name

LAMBDA_SERVICE_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)


class Retry(AslModel):
    """A retrier. Unset fields take AWS's defaults (1 s interval, 3 attempts, backoff 2.0)."""

    error_equals: list[str] = Field(min_length=1)
    interval_seconds: int | None = Field(default=None, ge=1)
    max_attempts: int | None = Field(default=None, ge=0)
    backoff_rate: float | None = Field(default=None, ge=1.0)
    max_delay_seconds: int | None = Field(default=None, ge=1)
    jitter_strategy: Literal["FULL", "NONE"] | None = None
    comment: str | None = None

    @classmethod
    def lambda_service_errors(cls) -> Retry:
        """The retrier AWS recommends for every Lambda invoke (transient service errors)."""
        return cls(
            error_equals=list(LAMBDA_SERVICE_ERRORS),
            interval_seconds=1,
            max_attempts=3,
            backoff_rate=2.0,
            jitter_strategy="FULL",
        )

    def to_asl(self) -> dict[str, Any]:
        return self.asl_fields()


DEFAULT_ERROR_PATH = "$.error"


class Catch(AslModel):
    """A catcher: on a matching error, continue at `next` instead of failing."""

    error_equals: list[str] = Field(min_length=1)
    next: Target = Field(exclude=True)
    result_path: str | None = None
    output: Any = None
    assign: dict[str, Any] | None = None
    comment: str | None = None

    def to_asl(self, *, jsonata: bool = False) -> dict[str, Any]:
        body = self.asl_fields()
        if jsonata and body.get("ResultPath") == DEFAULT_ERROR_PATH:
            # The builder's JSONPath default has no meaning in JSONata (no ResultPath there).
            del body["ResultPath"]
        body["Next"] = target_name(self.next)
        return body


# Target names State as a forward reference; resolve it now that State is importable here.
Catch.model_rebuild()
__all__ = ["DEFAULT_ERROR_PATH", "LAMBDA_SERVICE_ERRORS", "Catch", "Retry", "State"]
