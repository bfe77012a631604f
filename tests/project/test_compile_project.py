"""compile_project's checks of the Lambda functions, in this process on real modules in a
temporary project: where a problem points and what only warns."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sfn_flows.project.build import compile_project

NESTED = """
from sfn_flows import LambdaFunction, LambdaInvoke, Map, Parallel, Workflow

missing = LambdaFunction("Missing", handler="work.handle")
fine = LambdaFunction("Fine", handler="work.handler")
both = Parallel(
    "Both",
    branches=[
        LambdaInvoke("Ok", function=fine, timeout_seconds=5),
        Map(
            "Each",
            processor=LambdaInvoke("Inner", function=missing, timeout_seconds=5),
            max_items=3,
        ),
    ],
)
nested = Workflow(name="nested", start=both, timeout_seconds=600)
"""


def project(tmp_path: Path, workflow: str, handler_source: str) -> Path:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "workflows" / "nested.py").write_text(textwrap.dedent(workflow))
    (tmp_path / "lambdas" / "work.py").write_text(handler_source)
    return tmp_path


def test_a_problem_points_at_the_state_that_uses_the_function(tmp_path: Path) -> None:
    root = project(tmp_path, NESTED, "def handler(event, context):\n    return event\n")
    result = compile_project(root / "workflows")
    assert not result.ok and not result.compiled
    [(item, failure)] = result.failures
    assert item.workflow.name == "nested"
    assert [(p.pointer, p.code) for p in failure.problems] == [
        ("/States/Both/Branches/1/States/Each/ItemProcessor/States/Inner", "missing-handler")
    ]
    assert "has no module-level function 'handle' (closest: 'handler')" in (
        failure.problems[0].message
    )


def test_a_handler_module_this_python_cannot_parse_is_an_error(tmp_path: Path) -> None:
    # `type` statements are Python 3.12 syntax: an error that says to build on the Lambda
    # runtime's Python (python3.13 in deploy/template) when this one is older.
    source = "type Event = dict[str, object]\ndef handler(event, context):\n    return event\n"
    root = project(tmp_path, NESTED.replace('work.handle"', 'work.handler"'), source)
    result = compile_project(root / "workflows", lambdas_dir=root / "lambdas")
    try:
        compile(source, "work.py", "exec")
    except SyntaxError:
        assert not result.ok and not result.compiled
        [(_, failure)] = result.failures
        pointers = [p.pointer for p in failure.problems if p.code == "missing-handler"]
        assert pointers == [
            "/States/Both/Branches/0/States/Ok",
            "/States/Both/Branches/1/States/Each/ItemProcessor/States/Inner",
        ]
        problem = failure.problems[0]
        assert problem.severity == "error"
        assert f"{root / 'lambdas' / 'work.py'}:1:6: syntax error" in problem.message
        assert "needs a build on Python 3.13 or later" in problem.message
    else:  # this Python parses it: the handler is found and nothing is said
        assert result.ok
        [(_, compiled)] = result.compiled
        assert all(w.code != "missing-handler" for w in compiled.warnings)
