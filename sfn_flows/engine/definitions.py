"""A definition made ready to run: read from a dict, its JSON text or a compiled workflow,
refused when AWS would refuse it (or when it nests deeper than the engine runs), parsed once
and turned into runners once per distinct text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sfn_flows.asl.definition import Machine, parse_definition
from sfn_flows.engine.context import DEFAULT_ACCOUNT, DEFAULT_REGION
from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.json_values import json_problem
from sfn_flows.engine.limits import MAX_JSON_DEPTH
from sfn_flows.engine.states.program import Program


def prepared(definition: dict[str, Any], validate: bool) -> tuple[Machine, Program]:
    """The parsed machine and its runners, validated first; the same definition text is
    checked and parsed once (runners keep nothing of an execution)."""
    try:
        text = json.dumps(definition, allow_nan=False)
    except RecursionError:
        _refuse_deep(definition)
        raise
    except (TypeError, ValueError):
        refuse_invalid(definition)  # the validator says where the value is not JSON
        raise
    return _prepare(text, validate)


@lru_cache(maxsize=64)
def _prepare(text: str, validate: bool) -> tuple[Machine, Program]:
    definition = json.loads(text)
    _refuse_deep(definition)
    if validate:
        refuse_invalid(definition)
    machine = parse_definition(definition)
    return machine, Program(machine)


def load_definition(definition: Any) -> dict[str, Any]:
    """An ASL dict from a dict, its JSON text, or a compiled workflow (an object with a
    `definition` dict, like `sfn_flows.compile.CompiledWorkflow`; its functions' ARN
    placeholders become ARNs in the engine's account, see `function_handlers`)."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise EngineUsageError(
                f"the definition is not JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); give the ASL as a dict or as JSON text."
            ) from None
    elif not isinstance(definition, Mapping):
        compiled = definition
        definition = getattr(compiled, "definition", None)
        if isinstance(definition, Mapping):
            text = json.dumps(definition)
            for function in getattr(compiled, "functions", ()):
                text = text.replace(function.arn_placeholder, function_arn(function.name))
            definition = json.loads(text)
        else:
            what = type(compiled).__name__
            hint = (
                "compile it first (sfn_flows.compile.compile_workflow) or use "
                "sfn_flows.testing.simulate, which does"
                if what == "Workflow"
                else "give an ASL definition (a dict or JSON text) or a compiled workflow"
            )
            raise EngineUsageError(f"cannot run a {what}: {hint}.")
    if not isinstance(definition, Mapping):
        raise EngineUsageError(
            f"the definition is a {type(definition).__name__}; an ASL definition is a JSON "
            "object with StartAt and States."
        )
    return dict(definition)


def function_arn(name: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def function_handlers(compiled: Any) -> dict[str, str]:
    """A compiled workflow's Lambda functions: name -> handler ('module.function')."""
    return {f.name: f.handler for f in getattr(compiled, "functions", ())}


def _refuse_deep(definition: Any) -> None:
    """A definition nested deeper than the engine carries (the validator accepts any depth:
    AWS documents no bound) is refused with the place where it goes too deep."""
    problem = json_problem(definition)
    if problem is not None and problem.kind == "depth":
        raise EngineUsageError(
            f"the definition nests objects and arrays more than {MAX_JSON_DEPTH} levels deep "
            f"at {problem.shown_pointer()}, deeper than the engine runs; nest it less deeply."
        )


def refuse_invalid(definition: Mapping[str, Any]) -> None:
    """Raise EngineUsageError with the validator's first error, as AWS would refuse it."""
    from sfn_flows.validate import validate_definition

    problems = [p for p in validate_definition(dict(definition)) if p.severity == "error"]
    if problems:
        shown = "\n".join("  " + p.render() for p in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise EngineUsageError(
            f"AWS would refuse this definition ({len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}):\n{shown}{more}"
        )
