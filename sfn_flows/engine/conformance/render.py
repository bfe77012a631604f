"""The report as the command prints it."""

from __future__ import annotations

from collections.abc import Iterable

from sfn_flows.engine.conformance.normalise import NORMALISED_NOTE
from sfn_flows.engine.conformance.report import Report, shorten


def render(report: Report, *, failures: int = 20) -> str:
    lines: list[str] = []
    ran, not_run = len(report.ran), len(report.results) - len(report.ran)
    lines.append(
        f"{len(report.results)} cases: {ran} run, {not_run} not run, "
        f"{len(report.failures)} failed ({report.seconds:.2f} s)"
    )
    if report.filtered:
        lines.append("(filtered with --only: the rates cover the selected cases only)")
    normalised = sum(r.normalised for r in report.results)
    lines.append(f"normalised: {NORMALISED_NOTE} ({normalised} results)")
    lines.append("")
    lines.append("Pass rates:")
    for rate in report.rates.values():
        line = f"  {rate.label:<55} {rate.passed:>4}/{rate.total:<4} {rate.percent():6.2f}%"
        if rate.target is not None:
            verdict = "met" if rate.met else "NOT MET"
            line += f"  target >= {rate.target * 100:g}% ({rate.required} cases): {verdict}"
        lines.append(line)
    lines.append("")
    categories = report.by_category()
    _section(lines, "By failure category:", ((len(m), name) for name, m in categories.items()))
    reasons = report.not_run()
    _section(lines, "Not run:", ((count, reason) for reason, count in reasons.most_common()))
    lines.append("By source group (passed/run):")
    lines.extend(f"  {p:>4}/{n:<4} {name}" for name, p, n in report.by_group())
    lines.append("")
    lines.append("By feature (passed/run, worst first):")
    lines.extend(f"  {p:>4}/{n:<4} {name}" for name, p, n in report.by_feature())
    slowest = sorted(report.ran, key=lambda r: r.seconds, reverse=True)[:5]
    if slowest:
        lines.append("")
        lines.append("Slowest cases (real time):")
        lines.extend(f"  {r.seconds * 1000:9.1f} ms  {r.id}" for r in slowest)
    shown = report.failures[:failures]
    if shown:
        lines.append("")
        lines.append(f"First {len(shown)} of {len(report.failures)} failures:")
        for result in shown:
            lines.append(f"  {result.id}")
            lines.append(f"      [{result.category}] {shorten(result.reason, 400)}")
    lines.append("")
    lines.append("Targets: " + ("all met" if report.targets_met() else "NOT all met"))
    return "\n".join(lines)


def _section(lines: list[str], title: str, rows: Iterable[tuple[int, str]]) -> None:
    lines.append(title)
    rendered = [f"  {count:>4}  {text}" for count, text in rows]
    lines.extend(rendered or ["  (none)"])
    lines.append("")
