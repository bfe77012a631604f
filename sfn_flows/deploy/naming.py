"""Names shared by the template, the deploy step and the commands that find what was deployed.

Standard library only: the runtime and the CLI both use these.
"""

from __future__ import annotations

import re

DEFAULT_STACK = "sfn-flows-app"
API_URL_OUTPUT = "ApiUrl"
ARTIFACT_BUCKET_OUTPUT = "ArtifactBucket"
# Environment of the starter and status Lambdas: JSON object workflow name -> state machine ARN.
STATE_MACHINES_ENV = "SFN_FLOWS_STATE_MACHINES"
# File at the root of the Lambda package: input schemas of the workflows the API starts.
API_CONFIG_FILE = "sfn_flows_api.json"
# An execution id in the API is "<workflow>~<execution name>": '~' never occurs in either
# (Step Functions forbids it in names), and it is URL-safe.
EXECUTION_ID_SEPARATOR = "~"


def logical_id(name: str) -> str:
    """CloudFormation logical id for a workflow name: 'long-running-job' -> 'LongRunningJob'."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    joined = "".join(part[:1].upper() + part[1:] for part in parts if part)
    return joined if joined[:1].isalpha() else f"W{joined}"


def state_machine_logical_id(workflow: str) -> str:
    return f"{logical_id(workflow)}StateMachine"


def state_machine_output(workflow: str) -> str:
    return f"{state_machine_logical_id(workflow)}Arn"
