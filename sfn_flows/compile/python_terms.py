"""Problems about a workflow declared in Python, in Python terms.

The validator checks the compiled ASL, so it names ASL fields ("Parameters is a JSONPath
field ... use Arguments"). A user who wrote `Task(..., parameters=...)` needs the keyword
they typed. This module maps a problem's JSON pointer back to the object that wrote that
part of the ASL (a state, a retrier, a catcher, a Choice rule and its condition, an
ItemReader...) and rewrites ASL field names into that object's keywords. The names come from
the pydantic fields' aliases, the one place where each keyword is tied to its ASL field.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pydantic import BaseModel
from pydantic.alias_generators import to_pascal

from sfn_flows.asl.pointers import pointer_tokens
from sfn_flows.model.base import State
from sfn_flows.model.choice import Choice, ChoiceRule
from sfn_flows.model.conditions import And, Comparison, Condition, Jsonata, Not, Or
from sfn_flows.model.map import ItemBatcher, ItemReader, ResultWriter, processor_config
from sfn_flows.model.recovery import Recoverable
from sfn_flows.model.retry import Catch, Retry
from sfn_flows.model.workflow import Workflow
from sfn_flows.validate.problems import Problem

# The objects nested in a state's ASL, by their key: the model, how a message calls it, and
# the builder's own name for a field where it differs from the model's.
_PARTS: dict[str, tuple[type[BaseModel], str, dict[str, str]]] = {
    "Retry": (Retry, "add_retry", {"ErrorEquals": "errors"}),
    "Catch": (Catch, "add_catch", {"ErrorEquals": "errors"}),
    "ItemReader": (ItemReader, "ItemReader", {}),
    "ItemBatcher": (ItemBatcher, "ItemBatcher", {}),
    "ResultWriter": (ResultWriter, "ResultWriter", {}),
}


@functools.cache
def python_keywords(model: type[BaseModel]) -> dict[str, str]:
    """ASL field name -> the keyword of `model` that writes it, from the fields' aliases.

    Fields that do not dump under their own alias are left out: excluded ones (a state's
    name) and a state's `special_fields`, except those its class maps in `asl_keywords`.
    """
    special: frozenset[str] = getattr(model, "special_fields", frozenset())
    names: dict[str, str] = {}
    for name, info in model.model_fields.items():
        if not info.exclude and name not in special:
            names[info.alias or to_pascal(name)] = name
    names.update(getattr(model, "asl_keywords", {}))
    return names


@dataclass(frozen=True)
class _Place:
    """The Python object behind a pointer and how a message writes its keywords."""

    names: Mapping[str, str]  # ASL field -> keyword of the state (or workflow) itself
    parts: Mapping[str, str] = field(default_factory=dict)  # ASL field -> keyword in `call`
    call: str = ""  # "add_retry", "add_catch", "when", "ItemReader"...
    terms: Mapping[str, str] = field(default_factory=dict)  # ASL word -> Python text
    condition: Condition | None = None
    field: str | None = None  # the ASL field the pointer ends in, if known

    def spell(self, asl: str, value: str | None = None) -> str | None:
        if asl in self.terms:
            return self.terms[asl]
        if asl in self.parts:
            return f"{self.call}({self.parts[asl]}={value or '...'})"
        if asl in self.names:
            return f"{self.names[asl]}={value or ''}"
        return None


def in_python_terms(problem: Problem, states: Mapping[str, State]) -> Problem:
    """`problem` (found in the compiled ASL) with the Python keywords in its text.

    `states` maps each state's JSON pointer to the object that compiled to it.
    """
    place = _locate(problem.pointer, states)
    message = _rewrite(problem.message, place)
    fix = _rewrite(problem.fix, place)
    said = f"{message} {fix}"
    written = place.condition.python() if place.condition is not None else None
    if written is None and place.field is not None:
        written = place.spell(place.field)
    if written is not None and written not in said:
        message = f"{written}: {message}"
    return replace(problem, message=message, fix=fix)


def reason_in_python_terms(pointer: str, reason: str, states: Mapping[str, State]) -> str:
    """A budget's reason (``Wait uses SecondsPath, ...``) for the part at `pointer`, with the
    keywords of the Python object there (``seconds_path=``)."""
    return _rewrite(reason, _locate(pointer, states))


def _locate(pointer: str, states: Mapping[str, State]) -> _Place:
    raw = pointer.split("/")[1:] if pointer else []
    state: State | None = None
    used = 0
    prefix = ""
    for index, token in enumerate(raw):
        prefix += "/" + token
        if prefix in states:
            state, used = states[prefix], index + 1
    if state is None:
        top = pointer_tokens(pointer)
        return _Place(python_keywords(Workflow), field=top[0] if top else None)
    rest = pointer_tokens("/" + "/".join(raw[used:])) if used < len(raw) else []
    own = python_keywords(type(state))
    key = rest[0] if rest else None
    if key in _PARTS:
        model, call, builder = _PARTS[key]
        listed = key in ("Retry", "Catch")
        if listed and not (isinstance(state, Recoverable) and len(rest) > 1):
            return _Place(own, field=key)
        inner = rest[2:] if listed else rest[1:]
        parts = {**python_keywords(model), **builder}
        return _Place(own, parts, call, field=inner[0] if inner else None)
    if key == "Choices" and isinstance(state, Choice) and len(rest) > 1 and rest[1].isdigit():
        index = int(rest[1])
        if index < len(state.rules):
            return _rule_place(state.rules[index], rest[2:], own)
    return _Place(own, field=key)


def _rule_place(rule: ChoiceRule, rest: list[str], own: Mapping[str, str]) -> _Place:
    parts = python_keywords(ChoiceRule)
    if rest and rest[0] in parts:
        return _Place(own, parts, "when", field=rest[0])
    condition = rule.condition
    tokens = list(rest)
    while len(tokens) > 1 and isinstance(condition, And | Or) and tokens[0] in ("And", "Or"):
        index = int(tokens[1]) if tokens[1].isdigit() else -1
        if not 0 <= index < len(condition.conditions):
            break
        condition, tokens = condition.conditions[index], tokens[2:]
        while tokens and isinstance(condition, Not) and tokens[0] == "Not":
            condition, tokens = condition.condition, tokens[1:]
    while tokens and isinstance(condition, Not) and tokens[0] == "Not":
        condition, tokens = condition.condition, tokens[1:]
    written = condition.python()
    terms = {"Variable": f"the path of {written}"}
    if isinstance(condition, Comparison):
        terms[condition.operator] = written
    if isinstance(condition, Jsonata):
        terms["Condition"] = written
    return _Place(own, parts, "when", terms, condition)


# Quoted user values stay as they are; then `"Key": value`, `Key (value)`, `Key to Value`,
# `"Key"` and a bare `Key` (not part of a longer name, a path, or a dotted name such as
# States.Format).
_TERM = re.compile(
    r"(?P<quoted>(?<!\w)'[^']*')"
    r'|"(?P<jkey>[A-Z][A-Za-z]*)":\s*(?P<jvalue>"[^"]*"|true|false|null|-?\d+(?:\.\d+)?)'
    r"|(?<![\w.$])(?P<nkey>[A-Z][A-Za-z]*) \((?P<nvalue>-?\d+(?:\.\d+)?)\)"
    r"|(?<![\w.$])(?P<tkey>[A-Z][A-Za-z]*) to (?P<tvalue>JSONata|JSONPath)\b"
    r'|"(?P<qkey>[A-Z][A-Za-z]*)"'
    r"|(?<![\w.$])(?P<key>[A-Z][A-Za-z]*)\b(?!\.\w)"
)


# The validator spells out the ProcessorConfig a Map needs; a Python Map takes `mode=`.
_PROCESSOR_CONFIG = re.compile(r"ItemProcessor\.ProcessorConfig(?: to)? (\{[^{}]*\})")


def _map_keywords(match: re.Match[str], place: _Place) -> str:
    """`ItemProcessor.ProcessorConfig to {"Mode": ...}` as the Map's keywords, leaving out
    what the Map writes anyway for that mode (a distributed Map's STANDARD children)."""
    try:
        config = json.loads(match.group(1))
    except ValueError:
        return match.group(0)
    if not isinstance(config, dict) or not config.keys() <= place.names.keys():
        return match.group(0)
    implied = processor_config(str(config.get("Mode", "INLINE")))
    return ", ".join(
        f"{place.names[key]}={json.dumps(value)}"
        for key, value in config.items()
        if key == "Mode" or implied.get(key) != value
    )


def _rewrite(text: str, place: _Place) -> str:
    if "Mode" in place.names:
        text = _PROCESSOR_CONFIG.sub(lambda match: _map_keywords(match, place), text)

    def term(match: re.Match[str]) -> str:
        whole = match.group(0)
        key, value = match.group("jkey"), match.group("jvalue")
        if key is None:
            key, value = match.group("nkey"), match.group("nvalue")
        if key is None:
            key, value = match.group("tkey"), match.group("tvalue")
            value = f'"{value}"' if value else None
        if key is None:
            key = match.group("qkey") or match.group("key")
        if key is None:
            return whole
        return place.spell(key, value) or whole

    # Two rewritten words may name one condition ("found StringEquals, Variable").
    return _REPEAT.sub(r"\1", _TERM.sub(term, text))


_REPEAT = re.compile(r"(c\.\w+\(.*?\))(?:, (?:the path of )?\1)+")
