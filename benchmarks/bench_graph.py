"""Diagram benchmark (issue 12): Mermaid and DOT text for bench_build's 1,000-state workflow.

    python benchmarks/bench_graph.py [--repeat N] [--warmup N]

The workflow is bench_build's (Choices, Parallels, Maps, Retry and Catch on most Tasks),
compiled once. What is timed is what `sfn-flows graph` does after the build: the graph of the
definition, the longest budget path at every depth (the top level's budget is the build's,
each Parallel branch and Map processor on the path is budgeted again), and the text. The aim
(Mermaid under 100 ms) is printed, never asserted; every figure is also a ratio to
`json.dumps(definition, indent=2)` measured in the same process, the text the build writes
for the same definition.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from typing import Any

from bench_build import TARGET_STATES, calibrated_timeout, measure, print_timings, ratio

from sfn_flows.compile import compile_workflow
from sfn_flows.diagram import build_graph, workflow_diagram
from sfn_flows.diagram.longest_path import longest_path
from sfn_flows.diagram.mermaid import to_mermaid

MERMAID_AIM_MS = 100.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    options = parser.parse_args(argv)
    repeat, warmup = options.repeat, options.warmup
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")

    from bench_build import build_workflow

    timeout, _ = calibrated_timeout()
    built = build_workflow(timeout)
    compiled = compile_workflow(built.workflow)
    definition = compiled.definition
    states, _ = compiled.state_counts()

    def drawn(text_format: str) -> str:
        return workflow_diagram(
            definition,
            text_format,
            budget=compiled.budget,
            map_max_items=compiled.map_max_items,
            loop_max_iterations=compiled.loop_max_iterations,
        )

    def mermaid() -> str:
        return drawn("mermaid")

    def dot() -> str:
        return drawn("dot")

    graph = build_graph(definition)
    text = mermaid()
    print(
        f"== Mermaid of a {states:,}-state workflow: {len(graph.nodes):,} nodes, "
        f"{len(graph.edges):,} edges, {len(graph.clusters)} clusters; "
        f"{len(text.encode()):,} bytes of Mermaid, {len(dot().encode()):,} of DOT =="
    )
    if states != TARGET_STATES:
        print(f"  WARNING: expected {TARGET_STATES} states, got {states}")
    timings = [
        measure("(a) json.dumps indent=2 (baseline)", lambda: json.dumps(definition, indent=2),
                repeat=repeat, warmup=warmup),
        measure("(b) Mermaid: workflow_diagram", mermaid, repeat=repeat, warmup=warmup),
        measure("(c)   of which build_graph", lambda: build_graph(definition),
                repeat=repeat, warmup=warmup),
        measure(
            "(d)   of which longest_path",
            lambda: longest_path(
                definition, budget=compiled.budget, map_max_items=compiled.map_max_items
            ),
            repeat=repeat,
            warmup=warmup,
        ),
        measure("(e)   of which to_mermaid", lambda: to_mermaid(graph), repeat=repeat,
                warmup=warmup),
        measure("(f) DOT: workflow_diagram", dot, repeat=repeat, warmup=warmup),
    ]  # fmt: skip
    print_timings(timings)
    baseline, whole, *_, dot_time = timings
    met = "MET" if whole.median_ms < MERMAID_AIM_MS else "NOT MET"
    print(
        f"  ratios to json.dumps: Mermaid {ratio(whole, baseline)}, DOT {ratio(dot_time, baseline)}"
    )
    print(
        f"  aim: Mermaid of {states:,} states under {MERMAID_AIM_MS:.0f} ms -> median "
        f"{whole.median_ms:.1f} ms: {met}"
    )
    bench_layout()
    return 0


def bench_layout(tasks: int = 100) -> None:
    """SVG through Graphviz of a chain of Tasks that all catch into one Fail (a shared failure
    handler, which dot.py does not let rank: ranked, this takes Graphviz over 4 minutes)."""
    from sfn_flows.diagram.graphviz import render_image

    if shutil.which("dot") is None:
        print("== Graphviz layout: skipped, `dot` is not installed (apt install graphviz) ==")
        return
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
    retry = [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}]
    chain: dict[str, Any] = {
        f"S{i}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "work"},
            "TimeoutSeconds": 30,
            "Retry": retry,
            "Catch": catch,
            **({"Next": f"S{i + 1}"} if i < tasks - 1 else {"End": True}),
        }
        for i in range(tasks)
    }
    definition = {"StartAt": "S0", "States": {**chain, "Failed": {"Type": "Fail"}}}
    dot = workflow_diagram(definition, "dot")
    print(f"== Graphviz layout: SVG of {tasks} Tasks that all catch into one Fail ==")
    timings = [
        measure("(g) DOT text", lambda: workflow_diagram(definition, "dot"), repeat=3, warmup=1),
        measure("(h) dot -Tsvg", lambda: render_image(dot, "svg"), repeat=3, warmup=1),
    ]
    print_timings(timings)
    print(f"  layout / text: {ratio(timings[1], timings[0])}")


if __name__ == "__main__":
    sys.exit(main())
