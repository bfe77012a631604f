"""`sfn-flows graph WORKFLOW`: the workflow drawn from its build, or one execution drawn on it.

The workflow is compiled as `sfn-flows build` compiles it. Mermaid and DOT are text written
by `sfn_flows.diagram` (no dependency); SVG and PNG are Graphviz's layout of the DOT text.
With `--execution`, the execution's history (GetExecutionHistory, on the target the other
commands use) colours the states it entered, retried, caught and failed.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer
from rich.markup import escape

from sfn_flows.cli.build_command import (
    ImportTimeoutOption,
    LambdasOption,
    WorkflowsOption,
    compile_workflows,
    positive_seconds,
)
from sfn_flows.cli.render import err, out, problem_line, seconds
from sfn_flows.cli.run_command import EndpointOption, ProfileOption, RegionOption, StackOption
from sfn_flows.deploy.naming import DEFAULT_STACK
from sfn_flows.errors import SfnFlowsError

if TYPE_CHECKING:
    from sfn_flows.compile import CompiledWorkflow
    from sfn_flows.project.build import BuildResult


class DiagramFormat(enum.StrEnum):
    mermaid = "mermaid"
    svg = "svg"
    png = "png"
    dot = "dot"


# What a file name's extension says the format is.
EXTENSIONS: Final = {
    ".mmd": DiagramFormat.mermaid,
    ".mermaid": DiagramFormat.mermaid,
    ".dot": DiagramFormat.dot,
    ".gv": DiagramFormat.dot,
    ".svg": DiagramFormat.svg,
    ".png": DiagramFormat.png,
}
_IMAGES: Final = (DiagramFormat.svg, DiagramFormat.png)


class GraphError(SfnFlowsError):
    """What `sfn-flows graph` was asked cannot be done as asked; the message says why and
    what to give instead."""


def graph(
    workflow: Annotated[str, typer.Argument(help="The workflow's name (its Workflow(name=...)).")],
    diagram_format: Annotated[
        DiagramFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="mermaid (text for Markdown), dot (Graphviz text), svg or png (laid out by "
            "Graphviz's dot). Default: from the output file's extension, else mermaid.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (.mmd, .dot, .svg, .png) instead of stdout."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = (
        False
    ),
    execution: Annotated[
        str | None,
        typer.Option(
            "--execution",
            help="An execution ARN, or <workflow>~<execution name>: colour the states it "
            "entered, retried, caught and failed, from its history.",
        ),
    ] = None,
    layout_timeout: Annotated[
        float | None,
        typer.Option(
            "--layout-timeout",
            metavar="SECONDS",
            callback=positive_seconds,
            help="Stop Graphviz's layout (svg, png) after this long (default: 120).",
        ),
    ] = None,
    workflows: WorkflowsOption = Path("workflows"),
    lambdas: LambdasOption = None,
    import_timeout: ImportTimeoutOption = None,
    stack: StackOption = DEFAULT_STACK,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
    region: RegionOption = None,
) -> None:
    """Draw a workflow: Choice rules as labelled edges, Parallel branches and Map processors
    as clusters, Retry and Catch edges apart, each Task's timeout, and the longest budget
    path in orange. With --execution, what one execution did, on the same picture."""
    check_output(output, force)
    chosen = output_format(diagram_format, output)
    if output is None and chosen is DiagramFormat.png and sys.stdout.isatty():
        raise GraphError("a PNG is binary: write it to a file with -o FILE.png.")
    result = compile_workflows(workflows, lambdas, import_timeout)
    compiled = workflow_of(result, workflow)
    text_format = "dot" if chosen in _IMAGES else chosen.value
    if execution is None:
        text = workflow_text(compiled, text_format)
    else:
        text = execution_text(
            compiled, text_format, execution, stack, endpoint_url, profile, region
        )
    data = text.encode("utf-8")
    if chosen in _IMAGES:
        from sfn_flows.diagram.graphviz import render_image

        data = render_image(
            text, "svg" if chosen is DiagramFormat.svg else "png", deadline_seconds=layout_timeout
        )
    write_output(data, output, force)
    if output is not None:
        err.print(f"wrote {escape(str(output))} ({chosen.value})")


def output_format(chosen: DiagramFormat | None, output: Path | None) -> DiagramFormat:
    """The format asked for, or the one the output file's extension names."""
    if output is None:
        return chosen or DiagramFormat.mermaid
    named = EXTENSIONS.get(output.suffix.lower())
    if chosen is None:
        if named is None:
            raise GraphError(
                f"cannot tell the format from the name {str(output)!r}; end it in "
                f"{', '.join(EXTENSIONS)}, or give --format mermaid|dot|svg|png."
            )
        return named
    if named is not None and named is not chosen:
        raise GraphError(
            f"--format {chosen.value} does not match {str(output)!r}, whose extension is "
            f"{named.value}'s; name the file {output.with_suffix(_suffix(chosen)).name!r} "
            f"(or give --format {named.value})."
        )
    return chosen


def _suffix(chosen: DiagramFormat) -> str:
    return next(suffix for suffix, named in EXTENSIONS.items() if named is chosen)


def check_output(output: Path | None, force: bool) -> None:
    """Refuse, before any work, an output that would lose data or cannot be written."""
    if output is None:
        return
    if output.is_dir():
        raise GraphError(f"{str(output)!r} is a folder; give a file name.")
    if output.exists() and not force:
        raise GraphError(f"{str(output)!r} exists; pass --force to overwrite it.")
    if not output.parent.is_dir():
        raise GraphError(f"the folder of {str(output)!r} does not exist; create it first.")


def workflow_of(result: BuildResult, name: str) -> CompiledWorkflow:
    """The compiled workflow `name`; its problems, or the names there are, when there is none."""
    for _, compiled in result.compiled:
        if compiled.name == name:
            return compiled
    for item, failure in result.failures:
        if item.workflow.name == name:
            for problem in failure.problems:
                out.print(problem_line(f"{name} ({item.source}): ", problem))
            raise GraphError(
                f"workflow {name!r} does not build ({len(failure.problems)} problem(s) above); "
                "fix them, then draw it."
            )
    known = sorted(
        [compiled.name for _, compiled in result.compiled]
        + [item.workflow.name for item, _ in result.failures]
    )
    raise GraphError(
        f"no workflow named {name!r}; the project's workflows: {', '.join(known) or 'none'}."
    )


def workflow_text(compiled: CompiledWorkflow, text_format: str) -> str:
    from sfn_flows.diagram import workflow_diagram

    budget = compiled.budget
    worst = seconds(budget.seconds) + ("" if budget.bounded else "+")
    timeout = seconds(compiled.workflow.timeout_seconds)
    return workflow_diagram(
        compiled.definition,
        text_format,
        budget=budget,
        map_max_items=compiled.map_max_items,
        loop_max_iterations=compiled.loop_max_iterations,
        title=f"{compiled.name}: longest path {worst} of {timeout}",
    )


def execution_text(
    compiled: CompiledWorkflow,
    text_format: str,
    execution: str,
    stack: str,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> str:
    # Here, not at the top: boto3 and the deploy code would slow every other command's start.
    from sfn_flows.client import ExecutionClient
    from sfn_flows.client.ids import (
        execution_arn,
        is_arn,
        require_execution_arn,
        split_execution_id,
    )
    from sfn_flows.deploy.outputs import state_machine_arn
    from sfn_flows.deploy.targeting import resolve_target
    from sfn_flows.diagram import build_graph, execution_overlay, render, trace_execution

    # The ARN or id is checked before the target is resolved: a typo costs no call.
    if is_arn(execution):
        arn = require_execution_arn(execution)
        target = resolve_target(endpoint_url, profile, region)
    else:
        workflow, name = split_execution_id(execution)
        if workflow != compiled.name:
            raise GraphError(
                f"execution {execution!r} is one of workflow {workflow!r}, not {compiled.name!r}; "
                f"draw it with `sfn-flows graph {workflow} --execution {execution}`."
            )
        target = resolve_target(endpoint_url, profile, region)
        arn = execution_arn(state_machine_arn(target, stack, workflow), name)
    client = ExecutionClient(target)
    status = client.describe(arn).status
    trace = trace_execution(client.history(arn))
    picture = build_graph(compiled.definition)
    foreign = [name for name in trace.states if name not in picture.state_nodes]
    if foreign and len(foreign) == len(trace.states):
        raise GraphError(
            f"execution {arn} entered {_names(foreign)}, none of which is a state of workflow "
            f"{compiled.name!r}; draw it on its own workflow."
        )
    if foreign:
        err.print(
            f"[yellow]warning[/yellow]: the execution entered {escape(_names(foreign))}, which "
            f"workflow {escape(compiled.name)} does not have (it ran another version of it); "
            "they are not drawn."
        )
    title = f"{compiled.name}: execution {arn.rsplit(':', 1)[-1]}, {status}"
    return render(picture, execution_overlay(picture, trace), text_format, title)


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def write_output(data: bytes, output: Path | None, force: bool) -> None:
    """To stdout, or to `output`: created only if absent (a file that appeared since the
    check is not overwritten), or with --force replaced whole (never left half written)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    if not force:
        try:
            with output.open("xb") as handle:
                handle.write(data)
        except FileExistsError:
            raise GraphError(f"{str(output)!r} exists; pass --force to overwrite it.") from None
        return
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
