"""JSON text as AWS writes it in causes, events and outputs: compact, non-ASCII kept."""

from __future__ import annotations

import json
from typing import Any


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
