"""What runs inside Lambda behind the API: the starter and the status reader.

    POST /{workflow}/executions  -> make_starter_handler()  (StartExecution, answers 202)
    GET  /executions/{id}        -> make_status_handler()   (DescribeExecution)

and around the project's own workers: `@deadline_guard` (worker_deadline.py), which gives a
handler the time it has left and lets it stop with a continuation before its deadline.

Only the standard library at import time (cold start); boto3 and botocore load with the first
call to Step Functions. Never imports pydantic or the compiler. The names load on first use
(PEP 562), so the starter's Lambda does not import the status reader's module.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "make_starter_handler": "sfn_flows.runtime.starter",
    "make_status_handler": "sfn_flows.runtime.status",
    "Partial": "sfn_flows.runtime.worker_deadline",
    "WorkerBudget": "sfn_flows.runtime.worker_deadline",
    "deadline_guard": "sfn_flows.runtime.worker_deadline",
}

__all__ = [
    "Partial",
    "WorkerBudget",
    "deadline_guard",
    "make_starter_handler",
    "make_status_handler",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sfn_flows.runtime' has no attribute {name!r}")
    return getattr(import_module(module), name)


if TYPE_CHECKING:
    from sfn_flows.runtime.starter import make_starter_handler
    from sfn_flows.runtime.status import make_status_handler
    from sfn_flows.runtime.worker_deadline import Partial, WorkerBudget, deadline_guard
