"""Execution names, API execution ids and the Step Functions ARNs they map to.

An execution id in the API is "<workflow>~<execution name>" (EXECUTION_ID_SEPARATOR);
the status route also accepts the execution's full ARN.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

# '~' never occurs in a workflow or execution name (Step Functions forbids it in names), and
# it is URL-safe. The client and the CLI split ids with the same rule (they import it here).
EXECUTION_ID_SEPARATOR = "~"
EXECUTION_NAME_MAX = 80
# An Idempotency-Key longer than this is refused: keys are meant to be UUIDs or similar, and
# a bound keeps hashing and error messages small.
IDEMPOTENCY_KEY_MAX = 255
# The readable part of a name derived from a key; with '-' and the 32-hex digest the name
# stays within 80 characters.
_KEY_PREFIX_MAX = 40
_DIGEST_HEX = 32  # 128 bits of SHA-256: collisions between keys are not a practical concern
_NOT_NAME_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Characters Step Functions forbids in execution names (besides whitespace and controls).
_FORBIDDEN_IN_NAMES = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')


def idempotent_execution_name(key: str) -> str:
    """The execution name for an Idempotency-Key: deterministic, [A-Za-z0-9_-], <= 80 chars.

    A readable prefix of the key (unsafe runs become '-') helps to find the execution in the
    console; the digest of the whole key makes the name unique to that key.
    """
    import hashlib  # on first use: its OpenSSL start-up is a few ms of every cold start

    prefix = _NOT_NAME_SAFE.sub("-", key)[:_KEY_PREFIX_MAX].strip("-") or "key"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_DIGEST_HEX]
    return f"{prefix}-{digest}"


def fresh_execution_name() -> str:
    """A random (version 4) UUID, as text.

    Built from os.urandom like uuid.uuid4(): the uuid module imports `platform`, which adds
    several ms to the cold start of every Lambda container.
    """
    data = bytearray(os.urandom(16))
    data[6] = (data[6] & 0x0F) | 0x40  # version 4
    data[8] = (data[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = data.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def is_valid_execution_name(name: str) -> bool:
    """Step Functions' rules for execution names (MiniStack does not enforce them)."""
    if not 0 < len(name) <= EXECUTION_NAME_MAX:
        return False
    for char in name:
        code = ord(char)
        if char.isspace() or code <= 0x1F or 0x7F <= code <= 0x9F or char in _FORBIDDEN_IN_NAMES:
            return False
        # Surrogates (a JSON request can hold a lone one) and the noncharacters U+FFFE/FFFF.
        if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return False
    return True


def execution_id(workflow: str, name: str) -> str:
    return f"{workflow}{EXECUTION_ID_SEPARATOR}{name}"


def split_execution_id(value: str) -> tuple[str, str] | None:
    """(workflow, execution name) of "<workflow>~<name>", or None when malformed."""
    workflow, separator, name = value.partition(EXECUTION_ID_SEPARATOR)
    if not separator or not workflow or not is_valid_execution_name(name):
        return None
    return workflow, name


class StateMachineArn(NamedTuple):
    """arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<version or alias>]."""

    arn: str
    partition: str
    region: str
    account: str
    name: str

    @property
    def base(self) -> str:
        """The ARN without a version or alias qualifier (what DescribeExecution reports)."""
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{self.name}"

    def execution_arn(self, execution_name: str) -> str:
        return (
            f"arn:{self.partition}:states:{self.region}:{self.account}"
            f":execution:{self.name}:{execution_name}"
        )


class ExecutionArn(NamedTuple):
    """arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>."""

    arn: str
    partition: str
    region: str
    account: str
    state_machine: str
    name: str


def parse_state_machine_arn(value: str) -> StateMachineArn | None:
    parts = value.split(":")
    if len(parts) not in (7, 8) or parts[0] != "arn" or parts[2] != "states":
        return None
    if parts[5] != "stateMachine" or not all(parts[1:5]) or not parts[6]:
        return None
    return StateMachineArn(value, parts[1], parts[3], parts[4], parts[6])


def parse_execution_arn(value: str) -> ExecutionArn | None:
    """A standard workflow's execution ARN; anything else (Express, Map Run children) is None."""
    parts = value.split(":")
    if len(parts) != 8 or parts[0] != "arn" or parts[2] != "states" or parts[5] != "execution":
        return None
    if not all(parts[1:5]) or not parts[6] or not is_valid_execution_name(parts[7]):
        return None
    return ExecutionArn(value, parts[1], parts[3], parts[4], parts[6], parts[7])
