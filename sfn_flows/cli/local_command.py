"""`sfn-flows local up|down|status`: the embedded local stack (MiniStack, no Docker)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sfn_flows.cli.render import out, print_json

if TYPE_CHECKING:
    from sfn_flows.local.images import BuiltImage

# The commands import sfn_flows.local when they run, so `sfn-flows --help` does not.
local = typer.Typer(
    name="local",
    help="Run the local AWS stack (MiniStack) in the background: no Docker, no AWS account.",
    no_args_is_help=True,
)


@local.command()
def up(
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: a free one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Start the local stack (or show the one already running) and wait until it answers."""
    from sfn_flows.local import start_local_stack

    stack = start_local_stack(Path.cwd(), port=port)
    if as_json:
        print_json({"endpoint_url": stack.endpoint_url, "pid": stack.pid, "log": stack.log_path})
        return
    out.print(
        f"local stack running at {stack.endpoint_url} (pid {stack.pid}, log {stack.log_path})"
    )
    out.print("deploy, run and status use it from this folder; stop it with `sfn-flows local down`")


@local.command()
def down() -> None:
    """Stop the local stack started from this folder."""
    from sfn_flows.local import stop_local_stack

    stack = stop_local_stack(Path.cwd())
    out.print(
        f"stopped the local stack at {stack.endpoint_url}"
        if stack
        else "no local stack was running"
    )


@local.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Say whether the local stack of this folder runs, and where."""
    from sfn_flows.local import find_local_stack

    stack = find_local_stack(Path.cwd())
    if as_json:
        print_json(
            {"running": stack is not None, "endpoint_url": stack.endpoint_url if stack else None}
        )
    elif stack:
        out.print(f"running at {stack.endpoint_url} (pid {stack.pid})")
    else:
        out.print("not running; start it with `sfn-flows local up`")
    if stack is None:
        raise typer.Exit(3)


@local.command()
def image(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Build the container images of the test engines: the local stack's and the sfn-flows
    engine's (each cached by the hash of its inputs).

    Needs a running Docker engine (installed and started when missing, as root) and
    mmdebstrap; no image registry is used.
    """
    from sfn_flows.local.docker_engine import ensure_docker_engine
    from sfn_flows.local.engine_images import build_engine_image
    from sfn_flows.local.images import build_local_stack_image

    ensure_docker_engine()
    built = build_local_stack_image()
    engine = build_engine_image()
    if as_json:
        print_json({**_built(built), "engine": _built(engine)})
        return
    for what in (built, engine):
        how = "already built" if what.cached else f"built in {what.seconds:.1f} s"
        out.print(f"{what.tag} ({how}; base {what.base})")


def _built(image: BuiltImage) -> dict[str, object]:
    return {
        "image": image.tag,
        "base": image.base,
        "cached": image.cached,
        "seconds": image.seconds,
    }
