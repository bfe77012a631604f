"""What a run found: each case's outcome, the pass rates the issue sets targets for, and the
failures grouped by what differs."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

CHOICE_OPERATORS_GROUP = "choice_operators"
JSONATA_FEATURE = "JSONata"

Outcome = Literal["passed", "failed", "error", "not_run"]


@dataclass(frozen=True)
class CaseResult:
    id: str
    group: str
    needs: tuple[str, ...]
    features: tuple[str, ...]
    outcome: Outcome
    reason: str = ""
    category: str = ""
    seconds: float = 0.0
    normalised: bool = False  # run-specific Lambda response headers replaced before compare

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "outcome": self.outcome,
            "reason": self.reason,
            "category": self.category,
            "seconds": round(self.seconds, 6),
            "normalised": self.normalised,
        }


@dataclass(frozen=True)
class Population:
    """A set of cases a pass rate is reported for, with the issue's target when it has one."""

    key: str
    label: str
    member: Callable[[CaseResult], bool]
    target: float | None = None


def no_service(result: CaseResult) -> bool:
    return not result.needs


POPULATIONS = (
    Population("no_service", "no-service cases", no_service, 0.995),
    Population(
        "no_service_without_choice_operators",
        "no-service cases, without the choice-operator cases",
        lambda r: no_service(r) and r.group != CHOICE_OPERATORS_GROUP,
        0.98,
    ),
    Population("lambda", "Lambda cases", lambda r: r.needs == ("lambda",), 0.95),
    Population(
        "jsonpath",
        "no-service JSONPath cases",
        lambda r: no_service(r) and JSONATA_FEATURE not in r.features,
    ),
    Population(
        "jsonata",
        "no-service JSONata cases",
        lambda r: no_service(r) and JSONATA_FEATURE in r.features,
    ),
)


@dataclass(frozen=True)
class Rate:
    label: str
    passed: int
    total: int
    target: float | None

    @property
    def required(self) -> int | None:
        """The fewest passes that meet the target (a count, so rounding cannot flatter)."""
        if self.target is None:
            return None
        return math.ceil(self.target * self.total - 1e-9)

    @property
    def met(self) -> bool | None:
        required = self.required
        return None if required is None else self.passed >= required

    def percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0


@dataclass
class Report:
    results: list[CaseResult]
    filtered: bool = False
    seconds: float = 0.0
    rates: dict[str, Rate] = field(init=False)

    def __post_init__(self) -> None:
        self.rates = {}
        for population in POPULATIONS:
            members = [r for r in self.results if population.member(r)]
            passed = sum(r.passed for r in members)
            self.rates[population.key] = Rate(
                population.label, passed, len(members), population.target
            )

    @property
    def ran(self) -> list[CaseResult]:
        return [r for r in self.results if r.outcome != "not_run"]

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if r.outcome in ("failed", "error")]

    def targets_met(self) -> bool:
        return all(rate.met is not False for rate in self.rates.values())

    def by_feature(self) -> list[tuple[str, int, int]]:
        """(feature, passed, run) for every feature tag of the cases that ran."""
        return _tally((f, r) for r in self.ran for f in r.features)

    def by_group(self) -> list[tuple[str, int, int]]:
        return _tally((r.group, r) for r in self.ran)

    def by_category(self) -> dict[str, list[CaseResult]]:
        groups: dict[str, list[CaseResult]] = defaultdict(list)
        for result in self.failures:
            groups[result.category].append(result)
        return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))

    def not_run(self) -> Counter[str]:
        return Counter(r.reason for r in self.results if r.outcome == "not_run")

    def as_json(self) -> dict[str, Any]:
        return {
            "filtered": self.filtered,
            "seconds": round(self.seconds, 3),
            "rates": {
                key: {
                    "label": rate.label,
                    "passed": rate.passed,
                    "total": rate.total,
                    "target": rate.target,
                    "required": rate.required,
                    "met": rate.met,
                }
                for key, rate in self.rates.items()
            },
            "targets_met": self.targets_met(),
            "categories": {
                name: [r.id for r in members] for name, members in self.by_category().items()
            },
            "not_run": dict(self.not_run()),
            "normalised": [r.id for r in self.results if r.normalised],
            "cases": [r.as_json() for r in self.results],
        }


def _tally(pairs: Iterable[tuple[str, CaseResult]]) -> list[tuple[str, int, int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, result in pairs:
        counts[name][0] += result.passed
        counts[name][1] += 1
    rows = [(name, passed, run) for name, (passed, run) in counts.items()]
    # Worst pass rate first: what needs work leads the table.
    return sorted(rows, key=lambda row: (row[1] / row[2], -row[2], row[0]))


def failure_category(expected: Mapping[str, Any], actual: Mapping[str, Any], why: str) -> str:
    """What differs, coarse enough that causes of one kind group together."""
    if actual["status"] != expected.get("status"):
        got = str(actual["status"])
        if actual["status"] == "FAILED":
            got += f" ({actual['error']})"
        return f"status {got}, expected {expected.get('status')}"
    error = expected.get("error")
    if why.startswith("$error"):
        return f"error name: {actual['error']}, expected {error}"
    if why.startswith("$cause"):
        return f"cause text of {error}"
    if why.startswith("$output"):
        return "output"
    return "other"


def shorten(text: Any, limit: int = 160) -> str:
    """`text` cut to `limit` characters, for a reason line."""
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 3] + "..."
