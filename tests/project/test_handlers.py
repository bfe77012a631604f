"""The build's check that each Lambda handler exists in lambdas/, on real files, read but
never imported."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from sfn_flows.project.handlers import check_handler


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))


FOUND = {
    "def": "def handler(event, context):\n    return event\n",
    "async-def": "async def handler(event, context):\n    return event\n",
    "assignment": "from runtime import make\nhandler = make()\n",
    "annotated": "from typing import Any\nhandler: Any = print\n",
    "tuple": "handler, other = print, print\n",
    "class": "class handler:\n    pass\n",
    "import-from": "from impl import work as handler\n",
    "import": "import handler\n",
    "inside-if": (
        "import os\nif os.environ.get('X'):\n    def handler(e, c): ...\n"
        "else:\n    handler = print\n"
    ),
    "inside-try": "try:\n    from fast import handler\nexcept ImportError:\n    handler = print\n",
    "star-import": "from impl import *\n",
    "module-getattr": "def __getattr__(name):\n    return print\n",
    "global": "def setup():\n    global handler\n    handler = print\nsetup()\n",
}


@pytest.mark.parametrize("source", FOUND.values(), ids=FOUND.keys())
def test_module_level_names_are_found(tmp_path: Path, source: str) -> None:
    write(tmp_path, "work.py", source)
    assert check_handler(tmp_path, "work.handler") is None


def test_the_module_is_read_not_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    write(
        tmp_path,
        "work.py",
        f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("yes")
        raise SystemExit(1)

        def handler(event, context):
            return event
        """,
    )
    assert check_handler(tmp_path, "work.handler") is None
    assert not marker.exists()


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        ({"pkg/mod.py": "def run(e, c): ...\n"}, "pkg.mod.run"),
        ({"pkg/__init__.py": "", "pkg/mod.py": "def run(e, c): ...\n"}, "pkg.mod.run"),
        ({"pkg/__init__.py": "def run(e, c): ...\n"}, "pkg.run"),
        ({"pkg/mod/__init__.py": "def run(e, c): ...\n"}, "pkg.mod.run"),
    ],
    ids=["namespace-package", "package", "package-init", "nested-package-init"],
)
def test_packages(tmp_path: Path, files: dict[str, str], handler: str) -> None:
    for relative, source in files.items():
        write(tmp_path, relative, source)
    assert check_handler(tmp_path, handler) is None


def test_a_package_wins_over_a_module_of_the_same_name(tmp_path: Path) -> None:
    # Python imports pkg/__init__.py, not pkg.py, when both exist.
    write(tmp_path, "pkg.py", "def run(e, c): ...\n")
    write(tmp_path, "pkg/__init__.py", "")
    problem = check_handler(tmp_path, "pkg.run")
    assert problem is not None
    assert f"{tmp_path / 'pkg' / '__init__.py'} has no module-level function 'run'" in (
        problem.message
    )


NOT_FOUND = {
    "nested-def": "def outer():\n    def handler(e, c): ...\n",
    "annotation-only": "from typing import Any\nhandler: Any\n",
    "method": "class Work:\n    def handler(self, e, c): ...\n",
    "attribute": "import types\nobj = types.SimpleNamespace()\nobj.handler = print\n",
}


@pytest.mark.parametrize("source", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_names_that_are_not_module_level(tmp_path: Path, source: str) -> None:
    write(tmp_path, "work.py", source)
    problem = check_handler(tmp_path, "work.handler")
    assert problem is not None
    assert "has no module-level function 'handler'" in problem.message


def test_a_missing_function_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path, "orders.py", "def charge_payment(e, c): ...\ndef pack_line(e, c): ...\n")
    problem = check_handler(tmp_path, "orders.charge_payments")
    assert problem is not None
    assert problem.message == (
        f"handler 'orders.charge_payments': {tmp_path / 'orders.py'} has no module-level "
        "function 'charge_payments' (closest: 'charge_payment')."
    )
    assert "handler='orders.charge_payment'" in problem.fix
    assert "def charge_payments(event, context)" in problem.fix


def test_a_missing_module_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path, "orders.py", "def reserve(e, c): ...\n")
    write(tmp_path, "billing/invoices.py", "def send(e, c): ...\n")
    problem = check_handler(tmp_path, "order.reserve")
    assert problem is not None
    assert f"no module {tmp_path / 'order.py'}" in problem.message
    assert "(closest: 'orders')" in problem.message
    assert "handler='orders.reserve'" in problem.fix
    problem = check_handler(tmp_path, "billing.invoice.send")
    assert problem is not None and "(closest: 'billing.invoices')" in problem.message


def test_a_module_that_does_not_parse_is_an_error(tmp_path: Path) -> None:
    # It was a warning, in case the Lambda runtime's newer Python knew the syntax, and
    # "'(' was never closed" deployed. The message says how to build for newer syntax.
    write(tmp_path, "work.py", "import json\ndef handler(event, context:\n    return event\n")
    problem = check_handler(tmp_path, "work.handler", runtime="python3.13")
    assert problem is not None  # an error: a HandlerProblem is one
    assert f"{tmp_path / 'work.py'}:2:12: syntax error: '(' was never closed" in problem.message
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"The build parses with Python {version}" in problem.message
    if sys.version_info < (3, 13):
        assert "newer syntax needs a build on Python 3.13 or later" in problem.message
    assert problem.fix.startswith("correct the syntax")


def test_a_module_with_a_null_byte_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "work.py").write_bytes(b"def handler(event, context):\n    return '\x00'\n")
    problem = check_handler(tmp_path, "work.handler", runtime="python3.13")
    assert problem is not None  # an error: a HandlerProblem is one
    assert f"{tmp_path / 'work.py'}" in problem.message and "null bytes" in problem.message


def test_a_missing_folder(tmp_path: Path) -> None:
    problem = check_handler(tmp_path / "lambdas", "work.handler")
    assert problem is not None
    assert f"{tmp_path / 'lambdas'}: no such folder" in problem.message
    assert "--lambdas" in problem.fix


def test_the_project_handlers_exist() -> None:
    lambdas = Path(__file__).resolve().parents[2] / "lambdas"
    for handler in (
        "process_data.handler",
        "notify.handler",
        "notify.failure_handler",
        "orders.reserve_stock",
        "starter.handler",
        "status.handler",
    ):
        assert check_handler(lambdas, handler) is None, handler
