"""The conformance corpus through the Step Functions API, as boto3 calls an engine server.

    python -m sfn_flows.server.conformance --cases PATH [--endpoint URL] [the flags of
        python -m sfn_flows.engine.conformance]

Each case's definition becomes a state machine in the server (CreateStateMachine), runs with
StartExecution and DescribeExecution (STANDARD) or StartSyncExecution (EXPRESS), and is judged
by the corpus's own comparator exactly as the in-process run is (`sfn_flows.engine.
conformance`: the same selection, normalisation and report). Without `--endpoint`, a server
is started in this process on a free port, in virtual time, and stopped at the end.

Lambda cases run only against the server this command starts: their handlers are made in
this process from each case's recorded behaviour (as the in-process run makes them), and the
server runs them as it runs a project's registered functions. Against `--endpoint` they are
reported as not run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/sfn-flows-conformance"
# A STANDARD execution is polled this often at first, then less often up to the second value.
FIRST_POLL_SECONDS = 0.002
LAST_POLL_SECONDS = 0.05
# Past this, an execution that still runs is reported as the case's failure (the runner's own
# deadline also applies).
EXECUTION_DEADLINE_SECONDS = 30.0


@dataclass(frozen=True)
class ApiResult:
    """What the comparator reads of an execution, from DescribeExecution's answer."""

    status: str
    output: Any
    error: str | None
    cause: str | None


class ApiSimulate:
    """`simulate(definition, input, ...)` done through the Step Functions API at `client`."""

    def __init__(
        self,
        client: Any,
        *,
        functions: CaseFunctions | None = None,
        deadline: float = EXECUTION_DEADLINE_SECONDS,
    ) -> None:
        self._client = client
        self._functions = functions
        self._deadline = deadline
        self._numbers = itertools.count(1)

    def __call__(
        self,
        definition: Any,
        input: Any = None,
        *,
        state_machine_type: str = "STANDARD",
        execution_name: str | None = None,
        **options: Any,
    ) -> ApiResult:
        if "lambdas" in options:
            if self._functions is None:
                raise TypeError("Lambda cases need the server this command starts")
            self._functions.current = options.pop("lambdas")
        if options:
            raise TypeError(f"unexpected options {sorted(options)}")
        name = f"conformance-{next(self._numbers)}"
        arn = self._client.create_state_machine(
            name=name,
            definition=definition if isinstance(definition, str) else json.dumps(definition),
            roleArn=ROLE_ARN,
            type=state_machine_type,
        )["stateMachineArn"]
        try:
            start: dict[str, Any] = {
                "stateMachineArn": arn,
                "input": json.dumps({} if input is None else input),
            }
            if execution_name:
                start["name"] = execution_name
            if state_machine_type == "EXPRESS":
                return _result(self._client.start_sync_execution(**start))
            execution = self._client.start_execution(**start)["executionArn"]
            return _result(self._finished(execution))
        finally:
            self._client.delete_state_machine(stateMachineArn=arn)

    def _finished(self, execution_arn: str) -> dict[str, Any]:
        limit = time.monotonic() + self._deadline
        pause = FIRST_POLL_SECONDS
        while True:
            described: dict[str, Any] = self._client.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            if time.monotonic() > limit:
                raise TimeoutError(
                    f"{execution_arn} still RUNNING after {self._deadline:g} s of real time"
                )
            time.sleep(pause)
            pause = min(pause * 2, LAST_POLL_SECONDS)


class CaseFunctions:
    """The in-process server's Task answers, with the current Lambda case's handlers as its
    functions (cases run one at a time)."""

    def __init__(self, tasks: Any) -> None:
        self._tasks = tasks
        self.current: Any = None

    def setup(self, state_machine_arn: str, test_case: str | None) -> Any:
        from sfn_flows.engine.tasks import LambdaFunctions

        setup = self._tasks.setup(state_machine_arn, test_case)
        if self.current is None:
            return setup
        return dataclasses.replace(setup, lambdas=LambdaFunctions(self.current))


def _result(described: dict[str, Any]) -> ApiResult:
    text = described.get("output")
    return ApiResult(
        status=described["status"],
        output=json.loads(text) if text is not None else None,
        error=described.get("error"),
        cause=described.get("cause"),
    )


def stepfunctions_client(endpoint: str) -> Any:
    """A boto3 Step Functions client for the server at `endpoint` (never a real account:
    the endpoint is given and the credentials are dummies)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="conformance",
        aws_secret_access_key="conformance",
        # StartSyncExecution's endpoint is `sync-<host>` on AWS; a local server has one host.
        config=Config(
            retries={"max_attempts": 1},
            read_timeout=EXECUTION_DEADLINE_SECONDS,
            inject_host_prefix=False,
        ),
    )


@contextlib.contextmanager
def served(given: str | None) -> Iterator[tuple[str, CaseFunctions | None]]:
    """(endpoint, the started server's functions, or None for a given endpoint)."""
    if given:
        yield given, None
        return
    from sfn_flows.server.app import build_state, serve
    from sfn_flows.server.config import ServerConfig

    config = ServerConfig(port=0, virtual_time=True)
    state = build_state(config)
    functions = CaseFunctions(state.tasks)
    state.executions.tasks = functions
    with serve(config, state) as running:
        yield running.url, functions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sfn_flows.server.conformance",
        description="Run the conformance corpus through the Step Functions API of an engine "
        "server; every other flag is python -m sfn_flows.engine.conformance's.",
        add_help=False,
    )
    parser.add_argument(
        "--endpoint",
        help="the server's URL (default: start one in this process, in virtual time)",
    )
    args, rest = parser.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:
        parser.print_help()
        print()
    from sfn_flows.engine.conformance.cli import main as run_corpus
    from sfn_flows.engine.conformance_lambdas import lambdas_for

    with served(args.endpoint) as (endpoint, functions):
        simulate = ApiSimulate(stepfunctions_client(endpoint), functions=functions)
        return run_corpus(rest, simulate=simulate, lambdas=lambdas_for if functions else None)


if __name__ == "__main__":
    sys.exit(main())
