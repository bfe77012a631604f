"""The exceptions users can cause. The CLI prints them without a traceback and exits non-zero.

Every message names the place (workflow, state, field or file) and says how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sfn_flows.validate.problems import Problem


class SfnFlowsError(Exception):
    """Base of every error a user of sfn-flows can cause."""


class WorkflowError(SfnFlowsError):
    """A workflow declared in Python is wrong (bad reference, missing timeout, ...)."""

    def __init__(self, problems: Sequence[Problem], *, workflow: str | None = None) -> None:
        self.problems = list(problems)
        self.workflow = workflow
        where = f"workflow {workflow!r}: " if workflow else ""
        lines = [f"{where}{p.render()}" for p in self.problems]
        super().__init__("\n".join(lines))


class DiscoveryError(SfnFlowsError):
    """The workflows folder cannot be read or a module in it fails to import."""


class InputFileError(SfnFlowsError):
    """A file given on the command line is missing or is not JSON/YAML."""


class DeclarationError(SfnFlowsError):
    """A state was declared with something ASL forbids (found while building the objects)."""


class ChainError(DeclarationError):
    """A state was chained where ASL does not allow a transition."""
