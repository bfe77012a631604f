"""`sfn-flows engine ...`: the engine server's commands. `serve` is engine_serve.main, whose
options (argparse, standard library) are its only definition: `python -m sfn_flows engine
serve` reaches it without loading typer (see __main__.py), and this group passes its
arguments on unchanged."""

from __future__ import annotations

import typer

engine = typer.Typer(
    name="engine",
    help="Serve the in-process engine behind the Step Functions API (like Step Functions Local).",
    no_args_is_help=True,
)


@engine.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def serve(context: typer.Context) -> None:
    """Serve until SIGINT or SIGTERM (`sfn-flows engine serve --help` lists the options)."""
    from sfn_flows.cli.engine_serve import main

    raise typer.Exit(main(context.args))
