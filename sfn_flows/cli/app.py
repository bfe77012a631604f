"""Entry point of the `sfn-flows` console script."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from sfn_flows.cli.build_command import build
from sfn_flows.cli.demo_command import demo
from sfn_flows.cli.deploy_command import deploy
from sfn_flows.cli.engine_command import engine
from sfn_flows.cli.graph_command import graph
from sfn_flows.cli.import_command import import_asl
from sfn_flows.cli.local_command import local
from sfn_flows.cli.render import err
from sfn_flows.cli.run_command import run
from sfn_flows.cli.status_command import status
from sfn_flows.cli.validate_command import validate
from sfn_flows.errors import SfnFlowsError

app = typer.Typer(
    name="sfn-flows",
    help="Author AWS Step Functions workflows in Python: build, validate, deploy, run.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(build)
app.command()(validate)
app.command()(deploy)
app.command()(run)
app.command()(status)
app.command()(graph)
# `import` is a Python keyword: the function has another name.
app.command("import")(import_asl)
app.command()(demo)
app.add_typer(local)
app.add_typer(engine)


def main() -> None:
    try:
        app()
    except SfnFlowsError as exc:
        # A user's mistake: the message names the place and the fix; a traceback would bury it.
        _print_error(str(exc))
        raise SystemExit(1) from None
    except Exception as exc:
        message = aws_failure(exc)
        if message is None:
            raise
        _print_error(message)
        raise SystemExit(1) from None


def aws_failure(exc: Exception) -> str | None:
    """One line for a botocore error no command translated (None: not botocore's).

    Region, credentials and unreachable endpoints are the user's setup, never a traceback.
    botocore is looked up, not imported: a command that did not load it raised none of it.
    """
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:
        return None
    if isinstance(exc, exceptions.ClientError):
        error = exc.response.get("Error", {})
        return f"{exc.operation_name} failed: {error.get('Code')}: {error.get('Message', exc)}"
    if isinstance(exc, exceptions.BotoCoreError):
        from sfn_flows.aws.errors import aws_access_message

        return aws_access_message(exc, "AWS endpoint", local=False)
    return None


def _print_error(text: str) -> None:
    for line in text.splitlines():
        err.print(escape(line) if line.startswith(" ") else f"[red]error[/red]: {escape(line)}")


if __name__ == "__main__":
    main()
