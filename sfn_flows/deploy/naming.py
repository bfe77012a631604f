"""Names shared by the template, the deploy step and the commands that find what was deployed.

Standard library only. The names the deployed runtime reads (its environment variable, its
configuration file, the execution-id separator) are the runtime's own: defined in
sfn_flows.runtime, which never imports deploy, and re-exported here for deploy's side.
"""

from __future__ import annotations

import re

# Environment of the starter and status Lambdas (JSON object workflow name -> state machine
# ARN) and the file at the root of the Lambda package (input schemas of the workflows the API
# starts).
from sfn_flows.runtime.config import API_CONFIG_FILE, STATE_MACHINES_ENV
from sfn_flows.runtime.names import EXECUTION_ID_SEPARATOR

__all__ = [
    "ALARM_TOPIC_OUTPUT",
    "API_CONFIG_FILE",
    "API_URL_OUTPUT",
    "ARTIFACT_BUCKET_OUTPUT",
    "DEFAULT_STACK",
    "EXECUTION_ID_SEPARATOR",
    "PUSH_API_ID_OUTPUT",
    "PUSH_URL_OUTPUT",
    "STATE_MACHINES_ENV",
    "logical_id",
    "state_machine_logical_id",
    "state_machine_output",
]

DEFAULT_STACK = "sfn-flows-app"
API_URL_OUTPUT = "ApiUrl"
ARTIFACT_BUCKET_OUTPUT = "ArtifactBucket"
# WebSocket push (deploy/push.py): the socket's URL and its API's id.
PUSH_URL_OUTPUT = "PushUrl"
PUSH_API_ID_OUTPUT = "PushApiId"
# The SNS topic the alarms notify (deploy/alarms.py).
ALARM_TOPIC_OUTPUT = "AlarmTopicArn"


def logical_id(name: str) -> str:
    """CloudFormation logical id for a workflow name: 'long-running-job' -> 'LongRunningJob'."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    joined = "".join(part[:1].upper() + part[1:] for part in parts if part)
    return joined if joined[:1].isalpha() else f"W{joined}"


def state_machine_logical_id(workflow: str) -> str:
    return f"{logical_id(workflow)}StateMachine"


def state_machine_output(workflow: str) -> str:
    return f"{state_machine_logical_id(workflow)}Arn"
