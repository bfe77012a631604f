"""State names no Python identifier can be: quotes, backslashes, line breaks, NUL, unicode,
keywords, builtins, the module's own imported names, names that collide once sanitised.
The module must still be valid, formatted Python that builds the same ASL; the names must
be readable, unique identifiers; the header's comments must hold whatever the names hold."""

from __future__ import annotations

import ast
import builtins
import json
import keyword
from pathlib import Path
from typing import Any

from sfn_flows.codegen import import_definition
from sfn_flows.validate import validate_definition
from tests.codegen.building import build_modules, ruff, written

NAMES = [
    "class",
    "Class",
    "CLASS",
    "print",
    "Choice",
    "c",
    "OMIT",
    "Workflow",
    "a b",
    "a-b",
    "a_b",
    "A B",
    'say "hi"',
    "it's",
    "both ' and \"",
    'triple """ quotes',
    "back\\slash",
    "line\nbreak",
    "line\u2028separator",
    "nul\x00char",
    "状态",
    "Café",
    "😀",
    "   ",
    "1st",
    "a/b~c",
    "x" * 80,
    "X" * 80,
]


def hostile_definition() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for index, name in enumerate(NAMES):
        last = index == len(NAMES) - 1
        state: dict[str, Any] = {"Type": "Pass", "Comment": f"{name} # not a comment\n"}
        if index == 3:
            state = {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "${PrintFunctionArn}", "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": NAMES[-1]}],
            }
        if index == 6:
            state = {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.x", "StringEquals": name + "\n'\"", "Next": NAMES[index + 1]},
                ],
                "Default": NAMES[0],  # a loop back to the start
            }
        elif last:
            state["End"] = True
        else:
            state["Next"] = NAMES[index + 1]
        states[name] = state
    return {
        "Comment": "\"\"\" '''\n# -*- coding: latin-1 -*-",
        "StartAt": NAMES[0],
        "States": states,
    }


def test_hostile_names_make_a_valid_formatted_module_that_builds_the_same_asl(
    tmp_path: Path,
) -> None:
    definition = hostile_definition()
    assert [p for p in validate_definition(definition) if p.severity == "error"] == []
    result = import_definition(definition, source_name='my "file"\n.json', workflow_name="odd")
    text = result.text
    tree = ast.parse(text)  # valid Python
    # Every comment line is one line of the module: nothing a name holds breaks out of it.
    header = text.split("\n\n")[0].splitlines()
    assert header and all(line.startswith("#") for line in header)
    assert "coding" not in text.splitlines()[0]

    targets = [
        node.targets[0].id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    ]
    assert len(targets) == len(set(targets))  # unique
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    for name in targets:
        assert name.isidentifier() and name.isascii(), name
        assert not keyword.iskeyword(name) and not keyword.issoftkeyword(name), name
        assert name not in dir(builtins) and name not in imported, name
        assert len(name) <= 43, name
    assert {"class_", "class_2", "class_3", "print_", "choice", "c_2", "omit", "workflow"} <= set(
        targets
    )
    assert {"a_b", "a_b_2", "a_b_3", "a_b_4", "state", "cafe", "state_1st"} <= set(targets)
    assert {"line_break", "line_separator", "nul_char", "say_hi", "it_s"} <= set(targets)
    assert 'print_fn = LambdaFunction("Print", handler="print.handler")' in text

    folder = tmp_path / "workflows"
    built = build_modules(folder, {"odd": text})
    assert built["odd"][0] == written(result.built)
    source_states = definition["States"]
    built_states = result.built["States"]
    assert list(built_states) == list(source_states)  # every name, in order
    for name, state in source_states.items():
        extra = {"TimeoutSeconds": 900} if state["Type"] == "Task" else {}
        assert built_states[name] == {**state, **extra}
    assert {d.pointer for d in result.timeouts} == {
        "/TimeoutSeconds",
        "/States/print/TimeoutSeconds",
    }
    assert result.inexact == ()

    for line_length in ("88", "100"):
        formatted = ruff("format", "--check", "--line-length", line_length, str(folder))
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = ruff("check", "--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "E501", str(folder))
    assert checked.returncode == 0, checked.stdout
    assert json.loads(json.dumps(definition)) == definition  # the source is left as it was
