"""The starter's request body -> the execution's input, or the 4xx that says what is wrong.

Decisions:
- A missing, empty or all-whitespace body is the input `{}` (Step Functions' own default),
  and then no Content-Type is needed: `curl -X POST .../jobs/executions` starts a workflow
  that takes no input. The workflow's schema still applies to that `{}`.
- Any other body must be declared JSON: `application/json` or a `+json` type, charset UTF-8
  if given (415 otherwise), at most 256 KiB, Step Functions' input limit (413), valid UTF-8
  (400) and one valid JSON value (400 with line, column and offset). NaN, Infinity and
  numbers beyond a double's range are refused: Step Functions' JSON has none of them.
- Valid UTF-8 is checked on the bytes when the gateway passes them (base64). A gateway that
  passes text has already decoded it, replacing undecodable bytes with U+FFFD and losing
  them: a raw U+FFFD in a text body is refused (400), since it cannot be told apart from a
  corrupted body. Clients write a literal U+FFFD as the JSON escape `\ufffd`, which arrives
  intact; in a base64 body, whose bytes are known, its UTF-8 form is accepted too.
- The input sent is the parsed body re-serialised compactly, keys in the client's order.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, NamedTuple

from sfn_flows.runtime.events import HttpRequest
from sfn_flows.runtime.responses import Response, error_response

MAX_INPUT_BYTES = 262_144  # 256 KiB: Step Functions' limit on an execution's input (UTF-8)
JSON_MEDIA_TYPE = "application/json"
REPLACEMENT_CHARACTER = "\ufffd"


class BodyError(Exception):
    """A body the starter refuses, with the HTTP status and message that say why."""

    def __init__(
        self, status: int, error: str, message: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra or {}

    def response(self) -> Response:
        return error_response(self.status, self.error, self.message, **self.extra)


class JsonBody(NamedTuple):
    value: Any
    text: str  # compact JSON, what StartExecution receives as `input`


def read_json_body(request: HttpRequest) -> JsonBody:
    raw = request.body
    if raw is None or raw == "" or (not request.is_base64 and raw.isspace()):
        return JsonBody({}, "{}")
    _check_content_type(request.header("content-type"))
    text = _decode(raw, request.is_base64)
    if text.strip() == "":
        return JsonBody({}, "{}")
    value = _parse(text)
    try:
        compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise BodyError(
            400,
            "InvalidJson",
            "the body has a number too large for JSON (beyond 1.8e308); send it as a string.",
        ) from None
    try:
        size = len(compact.encode("utf-8"))
    except UnicodeEncodeError:
        raise BodyError(
            400,
            "InvalidJson",
            "the body has an unpaired surrogate escape (\\ud800-\\udfff) that UTF-8 cannot "
            "carry; escape characters beyond U+FFFF as a surrogate pair, or send them as UTF-8.",
        ) from None
    if size > MAX_INPUT_BYTES:
        raise _too_large(size)
    return JsonBody(value, compact)


def _check_content_type(header: str | None) -> None:
    if header is None or not header.strip():
        raise BodyError(
            415,
            "UnsupportedMediaType",
            f"the request has a body but no Content-Type; send it as {JSON_MEDIA_TYPE}.",
        )
    media_type, *parameters = (part.strip() for part in header.split(";"))
    media_type = media_type.lower()
    if media_type != JSON_MEDIA_TYPE and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise BodyError(
            415,
            "UnsupportedMediaType",
            f"Content-Type {media_type!r} is not accepted; send the body as {JSON_MEDIA_TYPE}.",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise BodyError(
                415,
                "UnsupportedMediaType",
                f"charset {charset!r} is not accepted; JSON bodies must be UTF-8.",
            )


def _decode(raw: str, is_base64: bool) -> str:
    if is_base64:
        # Four base64 characters carry three bytes: refuse before decoding a huge body.
        if len(raw) > (MAX_INPUT_BYTES + 2) // 3 * 4 + 4:
            raise _too_large(len(raw) * 3 // 4)
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BodyError(
                400,
                "InvalidBody",
                "the body is marked base64-encoded (isBase64Encoded) but is not valid base64.",
            ) from None
        if len(data) > MAX_INPUT_BYTES:
            raise _too_large(len(data))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyError(
                400,
                "InvalidBody",
                f"the body is not valid UTF-8: byte {exc.start} (0x{data[exc.start]:02x}) cannot "
                "be decoded; send the JSON body encoded as UTF-8.",
            ) from None
    replaced = raw.find(REPLACEMENT_CHARACTER)
    if replaced >= 0:
        raise BodyError(
            400,
            "InvalidBody",
            "the body is not valid UTF-8: the gateway replaced undecodable bytes with U+FFFD "
            f"(first at character {replaced}); send the JSON body encoded as UTF-8, and write "
            "a literal U+FFFD as the JSON escape \\ufffd.",
        )
    # A character is at least one UTF-8 byte: only a borderline body needs encoding to count.
    if len(raw) > MAX_INPUT_BYTES:
        raise _too_large(len(raw.encode("utf-8", errors="surrogatepass")))
    if len(raw) * 4 > MAX_INPUT_BYTES:
        size = len(raw.encode("utf-8", errors="surrogatepass"))
        if size > MAX_INPUT_BYTES:
            raise _too_large(size)
    return raw


def _parse(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise BodyError(
            400,
            "InvalidJson",
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(character {exc.pos}).",
            {"position": {"line": exc.lineno, "column": exc.colno, "offset": exc.pos}},
        ) from None
    except _ConstantRefused as exc:
        raise BodyError(
            400,
            "InvalidJson",
            f"the body is not valid JSON: {exc.args[0]} is not a JSON value "
            "(JSON has no NaN or Infinity).",
        ) from None
    except RecursionError:
        raise BodyError(
            400, "InvalidJson", "the body nests arrays or objects too deeply to be parsed."
        ) from None


class _ConstantRefused(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _ConstantRefused(name)


def _too_large(size: int) -> BodyError:
    return BodyError(
        413,
        "PayloadTooLarge",
        f"the body is {size} bytes; a workflow's input is limited to {MAX_INPUT_BYTES} bytes "
        "(256 KiB, Step Functions' limit). Store large data in S3 and pass its key.",
        {"limitBytes": MAX_INPUT_BYTES},
    )
