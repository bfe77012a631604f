"""A Lambda function of the project, referenced by workflows and deployed with them."""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator

from sfn_flows.model.keywords import KeywordChecked

_LOGICAL_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class LambdaFunction(KeywordChecked):
    """A handler in `lambdas/`: `LambdaFunction("ProcessData", handler="process_data.handler")`.

    In the ASL its ARN is the CloudFormation substitution `${<name>FunctionArn}`; deploy
    fills it in, so one definition serves every account and region.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    positional_name = True

    name: str = Field(description="CloudFormation logical name: PascalCase letters and digits")
    handler: str = Field(description="module.function inside lambdas/")
    timeout_seconds: int = Field(default=60, ge=1, le=900)
    memory_mb: int = Field(default=256, ge=128, le=10240)

    def __init__(self, name: str | None = None, /, **data: object) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    @field_validator("name")
    @classmethod
    def _logical_name(cls, value: str) -> str:
        if not _LOGICAL_NAME.match(value):
            raise ValueError(
                f"{value!r} is not a valid function name: use PascalCase letters and digits, "
                "starting with a capital letter, at most 64 characters (e.g. 'ProcessData')"
            )
        return value

    @field_validator("handler")
    @classmethod
    def _handler_path(cls, value: str) -> str:
        if not _HANDLER.match(value):
            raise ValueError(
                f"{value!r} is not a handler path: write 'module.function', e.g. "
                "'process_data.handler' for def handler() in lambdas/process_data.py"
            )
        return value

    @property
    def substitution(self) -> str:
        return f"{self.name}FunctionArn"

    @property
    def arn_placeholder(self) -> str:
        return "${" + self.substitution + "}"
