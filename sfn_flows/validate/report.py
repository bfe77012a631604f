"""Collects problems while a definition is walked."""

from __future__ import annotations

from sfn_flows.validate.problems import Problem, Severity


class Report:
    __slots__ = ("from_json_file", "from_yaml", "problems", "strict")

    def __init__(
        self, *, strict: bool = False, from_yaml: bool = False, from_json_file: bool = False
    ) -> None:
        self.strict = strict
        # Only shapes messages: YAML turns some unquoted names into booleans or numbers.
        self.from_yaml = from_yaml
        # A JSON file's quotes are known: a quoted ${Name} stays a string once substituted.
        self.from_json_file = from_json_file
        self.problems: list[Problem] = []

    def error(self, where: str, message: str, fix: str = "", code: str = "invalid") -> None:
        self.problems.append(Problem(where, message, fix, "error", code))

    def warn(self, where: str, message: str, fix: str = "", code: str = "warning") -> None:
        severity: Severity = "error" if self.strict else "warning"
        self.problems.append(Problem(where, message, fix, severity, code))

    def recommend(self, where: str, message: str, fix: str = "", code: str = "warning") -> None:
        """A warning even in strict mode: advice whose right answer may be "no"."""
        self.problems.append(Problem(where, message, fix, "warning", code))
