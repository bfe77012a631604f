"""Real state machines on the session's MiniStack, shared by the client and CLI tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy.naming import logical_id, state_machine_logical_id, state_machine_output

# MiniStack does not check the role; AWS would need one Step Functions can assume.
ROLE_ARN = "arn:aws:iam::000000000000:role/sfn-flows-tests"
DEMO_WORKFLOW = "demo-flow"

DEFINITIONS: dict[str, dict[str, Any]] = {
    # Pass -> Wait 1 s -> Pass: succeeds with {"x": 1} after about a second.
    "pass-wait": {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 1, "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        },
    },
    # Returns its input: for checking what the CLI sent.
    "echo": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
    "fail": {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "F"},
            "F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"},
        },
    },
    # A Task that fails: the Lambda function does not exist.
    "task-fail": {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "sfn-flows-tests-no-such-function"},
                "TimeoutSeconds": 5,
                "End": True,
            }
        },
    },
    "wait-2": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}},
    # Outlives every deadline the tests set; the tests stop what they start.
    "wait-long": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}},
    # Seven states: enough events for history pagination with small pages.
    "chain": {
        "StartAt": "S1",
        "States": {
            **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(1, 7)},
            "S7": {"Type": "Pass", "End": True},
        },
    },
}


@dataclass(frozen=True)
class Machines:
    arns: dict[str, str]
    stack: str  # a CloudFormation stack holding DEMO_WORKFLOW (the "echo" definition)

    def __getitem__(self, name: str) -> str:
        return self.arns[name]


@pytest.fixture(scope="session")
def sfn(local_target: Target) -> Any:
    return local_target.client("stepfunctions")


@pytest.fixture(scope="session")
def machines(local_target: Target, sfn: Any) -> Machines:
    suffix = uuid.uuid4().hex[:8]
    arns = {
        name: sfn.create_state_machine(
            name=f"{name}-{suffix}", definition=json.dumps(definition), roleArn=ROLE_ARN
        )["stateMachineArn"]
        for name, definition in DEFINITIONS.items()
    }
    stack = f"client-tests-{suffix}"
    deploy_demo_stack(local_target, stack)
    return Machines(arns, stack)


def deployed_machine(target: Target, stack: str) -> str:
    """The ARN of DEMO_WORKFLOW's state machine in `stack`."""
    outputs = target.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    values = {o["OutputKey"]: o["OutputValue"] for o in outputs["Outputs"]}
    return values[state_machine_output(DEMO_WORKFLOW)]


def deploy_demo_stack(target: Target, stack: str) -> None:
    """A stack shaped like `sfn-flows deploy`'s: one state machine and its ARN output."""
    resource = state_machine_logical_id(DEMO_WORKFLOW)
    assert resource == f"{logical_id(DEMO_WORKFLOW)}StateMachine"
    template = {
        "Resources": {
            resource: {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    # Named "<stack>-<workflow>", as the template of `sfn-flows deploy` does.
                    "StateMachineName": f"{stack}-{DEMO_WORKFLOW}",
                    "RoleArn": ROLE_ARN,
                    "DefinitionString": json.dumps(DEFINITIONS["echo"]),
                },
            }
        },
        "Outputs": {state_machine_output(DEMO_WORKFLOW): {"Value": {"Ref": resource}}},
    }
    cloudformation = target.client("cloudformation")
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    for _ in range(600):
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            break
        time.sleep(0.05)
    assert status == "CREATE_COMPLETE", status


# A project holding DEMO_WORKFLOW with an input model: its build gives `sfn-flows run` the
# JSON Schema the API starter would check requests against.
DEMO_PROJECT_WORKFLOW = f"""\
from pydantic import BaseModel, Field

from sfn_flows import Pass, Workflow


class DemoRequest(BaseModel):
    job_id: str = Field(min_length=1, pattern=r"^[a-z0-9-]+$")
    count: int = 1


demo = Workflow(
    name={DEMO_WORKFLOW!r}, start=Pass("Echo"), timeout_seconds=60, input_model=DemoRequest
)
"""


def write_demo_project(folder: Path) -> Path:
    """workflows/ with DEMO_WORKFLOW, an empty lambdas/, and its build (by the real command)."""
    (folder / "workflows").mkdir(parents=True, exist_ok=True)
    (folder / "lambdas").mkdir(exist_ok=True)
    (folder / "workflows" / "demo_flow.py").write_text(DEMO_PROJECT_WORKFLOW)
    built = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "build"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return folder


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_project(tmp_path_factory.mktemp("demo-project"))
