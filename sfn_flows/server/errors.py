"""The errors the server answers with, as AWS names them.

A handler raises ApiError for a client's mistake; the protocol answers it as AWS JSON 1.0 does:
HTTP 400, body {"__type": code, "message": ...}, which boto3 turns into ClientError with
Error.Code == code. Any other exception is the server's own bug: a 500 InternalServerError.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A client's mistake, answered with AWS's error `code` and a message naming the field."""

    def __init__(self, code: str, message: str, status: int = 400, **fields: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # Members some errors carry beside the message (ResourceNotFound.resourceName).
        self.fields = fields

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "message": self.message, **self.fields}


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def serialization(message: str) -> ApiError:
    return ApiError("SerializationException", message)


def invalid_arn(field: str, arn: str, expected: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{_short(arn)}' in {field}; expected {expected}.")


def state_machine_does_not_exist(arn: str) -> ApiError:
    return ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def resource_not_found(what: str, arn: str) -> ApiError:
    return ApiError("ResourceNotFound", f"{what} does not exist: '{arn}'", resourceName=arn)


def conflict(message: str) -> ApiError:
    return ApiError("ConflictException", message)


def _short(text: str, most: int = 300) -> str:
    """A value quoted in a message, cut so a huge value cannot make a huge answer."""
    return text if len(text) <= most else text[: most - 3] + "..."
