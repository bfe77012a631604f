"""`sfn-flows engine serve`: the in-process engine behind the Step Functions API over HTTP.

A drop-in for AWS's Step Functions Local: boto3 and the AWS CLI reach it with
`--endpoint-url http://127.0.0.1:8083`. Step Functions Local's environment variables
(AWS_DEFAULT_REGION, AWS_ACCOUNT_ID, WAIT_TIME_SCALE, LAMBDA_ENDPOINT, SFN_MOCK_CONFIG) and
ours (SFN_FLOWS_*) configure it; options override them. `GET /` answers
{"service": "sfn-flows engine", "status": "ready"} once it serves: the readiness probe.

Standard library only, and the server: a container waits for the engine to answer, so
`python -m sfn_flows engine serve` comes here without loading typer or rich (see __main__.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

PROGRAM: Final = "sfn-flows engine serve"
# The exit code of a usage mistake (a bad option, a port in use), as argparse and click use.
USAGE_EXIT: Final = 2
READY_LINE: Final = "sfn-flows engine listening on {url}"


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Serve the in-process engine behind the Step Functions API until SIGINT "
        f"or SIGTERM. Prints '{READY_LINE.format(url='http://HOST:PORT')}' when ready.",
    )
    options.add_argument(
        "--host", help="address to listen on (default 127.0.0.1; 0.0.0.0 in a container)"
    )
    options.add_argument(
        "--port", type=int, help="port to listen on, 0 for a free one (default 8083)"
    )
    options.add_argument(
        "--virtual-time",
        action="store_const",
        const=True,
        help="waits and retry intervals take no real time (env SFN_FLOWS_VIRTUAL_TIME=1)",
    )
    options.add_argument(
        "--lambdas-dir",
        type=Path,
        help="the project's lambdas/ folder, whose handlers the engine runs itself "
        "(env SFN_FLOWS_LAMBDAS_DIR)",
    )
    options.add_argument(
        "--functions",
        type=Path,
        help='a JSON file {"functions": {name: {"handler": "module.function", ...}}} read at '
        "start (env SFN_FLOWS_FUNCTIONS)",
    )
    options.add_argument(
        "--log-requests",
        action="store_const",
        const=True,
        help="log one line per request, without bodies, to stderr",
    )
    return options


def main(arguments: Sequence[str]) -> int:
    """Serves until SIGINT or SIGTERM; the exit code (0, or USAGE_EXIT for a bad setting)."""
    given = parser().parse_args(list(arguments))  # exits 2 itself on a bad option
    from sfn_flows.errors import SfnFlowsError
    from sfn_flows.server.app import serve
    from sfn_flows.server.config import ServerConfig

    try:
        config = ServerConfig.from_env(os.environ, **vars(given))
        running = serve(config)
    except SfnFlowsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return USAGE_EXIT
    stopping = threading.Event()
    _on_stop_signals(stopping)
    sys.stdout.write(READY_LINE.format(url=running.url) + "\n")
    sys.stdout.flush()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        running.stop()
    return 0


def _on_stop_signals(stopping: threading.Event) -> None:
    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
