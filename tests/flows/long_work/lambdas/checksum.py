"""Worker of the checksum job: a SHA-256 of every file name in the request, a file at a time.

Decorated with deadline_guard, it gets the time it has left (the earlier of its Lambda's
deadline and its Task's) and stops with a partial answer while one more file still fits,
rather than being cut off with nothing to show; ContinueUntilDone invokes it again with the
continuation. Each invocation reports its progress as its partial result.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sfn_flows.runtime import Partial, WorkerBudget, deadline_guard

# The longest one file takes: stop when less than this is left.
SECONDS_PER_FILE = 5.0


@deadline_guard(margin_seconds=2)
def handler(event: dict[str, Any], budget: WorkerBudget) -> dict[str, str] | Partial:
    files: list[str] = event["files"]
    digests: list[str] = list(budget.continuation or [])  # of the files before, in order
    for name in files[len(digests) :]:
        if budget.expired(SECONDS_PER_FILE):
            progress = {"files": len(digests), "of": len(files), "iteration": budget.iteration}
            return budget.partial(digests, result=progress)
        digests.append(hashlib.sha256(name.encode()).hexdigest()[:16])
    return dict(zip(files, digests, strict=True))
