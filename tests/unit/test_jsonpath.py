"""Tests for sfn_flows.asl.jsonpath: path_error, and the trees of parse_path and parse_filter.

The conformance test at the bottom replays every path found in definitions
that real AWS accepted, so any over-strict rule shows up as a failure there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl.intrinsics import intrinsic_error, is_intrinsic
from sfn_flows.asl.jsonpath import (
    Comparison,
    Descent,
    Field,
    Filter,
    FilterExpr,
    FilterSyntaxError,
    Function,
    Index,
    Logical,
    Not,
    Operand,
    PathSyntaxError,
    Script,
    Segment,
    Slice,
    Wildcard,
    function_arguments,
    parse_filter,
    parse_path,
    path_error,
)

REFERENCE_ONLY = "a reference path may not contain wildcards, filters, slices"

# Valid in both modes: the only shapes a reference path may take.
VALID_REFERENCE = [
    "$",
    "$$",
    "$.a",
    "$.a.b.c",
    "$$.Execution.Id",
    "$$.Map.Item.Value",
    "$$.Task.Token",
    "$$.Execution.Input.input-value",
    "$x",
    "$_private",
    "$myVar.items[0]",
    "$myVar[0]",
    "$.a-b",
    "$.détail",
    "$.snake_case.CamelCase.x1",
    "$.0",
    "$.@timestamp",
    "$[0]",
    "$[-1]",
    "$.a[10][2]",
    "$['a b']",
    '$["quoted"]',
    "$['']",
    "$['a.b'].c",
    "$['it\\'s']",
    '$[\'Test\\""Name"\']',
    "$.a.['def ghi']",
    "$[ 0 ]",
    "$[ 'spaced' ]",
]

VALID_ONLY_AS_PATH = [
    "$.a[*]",
    "$[*]",
    "$.*",
    "$.a.*.b",
    "$..name",
    "$..*",
    "$..[0]",
    "$..['a']",
    "$.a..b",
    "$[1:3]",
    "$[::2]",
    "$[1:]",
    "$[:1]",
    "$[-2:]",
    "$.items[1:5].itemValue",
    "$[0,1]",
    "$[0, 1, 2]",
    "$['a','b']",
    "$['a', \"b\"]",
    "$[?(@.price < 10)]",
    "$[?(@.x == 'a' && @.y)]",
    "$.users[?(@.status == 0)]",
    "$[?(@.name == ')]')]",
    "$.store.book[?(@.price > 10)].title",
    "$[?( @.a )]",
    "$[(@.length-1)]",
    "$.a.length()",
    "$.length()",
    "$.a[*].b.sum()",
    "$.a.concat('x', 'y')",
    "$x[*]",
    "$$.Execution.Input[*]",
]


@pytest.mark.parametrize("expr", VALID_REFERENCE + VALID_ONLY_AS_PATH)
def test_valid_paths(expr: str) -> None:
    assert path_error(expr) is None


@pytest.mark.parametrize("expr", VALID_REFERENCE)
def test_valid_reference_paths(expr: str) -> None:
    assert path_error(expr, reference=True) is None


@pytest.mark.parametrize("expr", VALID_ONLY_AS_PATH)
def test_reference_paths_reject_non_singular_forms(expr: str) -> None:
    message = path_error(expr, reference=True)
    assert message is not None
    assert REFERENCE_ONLY in message


INVALID = [
    ("", "may not be empty"),
    ("a.b", "must start with '$'"),
    ("States.Format('x')", "must start with '$'"),
    ("\t$.a", "whitespace other than spaces"),
    ("$.a\n", "whitespace other than spaces"),
    (" \t$.a ", "whitespace other than spaces"),
    ("   ", "may not be empty"),
    (" $.a[ ", "unclosed '[' at offset 3"),
    ("$.", "may not end with '.'"),
    ("$.a.", "may not end with '.'"),
    ("$..", "may not end with '..'"),
    ("$...a", "unexpected '.' at offset 3"),
    ("$.a..", "may not end with '..'"),
    ("$.a[", "unclosed '[' at offset 3"),
    ("$.items[0", "unclosed '[' at offset 7"),
    ("$.a]", "unexpected ']' at offset 3"),
    ("$['a]", "unclosed string starting at offset 2"),
    ('$["a]', "unclosed string"),
    ("$[?(@.a]", "does not match '('"),
    ("$[?(@.a", "unclosed '(' at offset 3"),
    ("$.f(", "unclosed '('"),
    ("$[]", "empty brackets"),
    ("$[ ]", "empty brackets"),
    ("$[abc]", "invalid bracket expression"),
    ("$[1:2:3:4]", "invalid bracket expression"),
    ("$['a' 'b']", 'unexpected "\'"'),
    ("$['a',]", "expected a quoted name"),
    ("$[?@.a]", "a filter must look like [?(...)]"),
    ("$[?()]", "empty expression"),
    ("$[()]", "empty expression"),
    ("$[?(@.a) x]", "unexpected text after ')'"),
    ("$1", "unexpected '1' at offset 1"),
    ("$-x", "unexpected '-' at offset 1"),
    ("$$x", "unexpected 'x' at offset 2"),
    ("$$$", "unexpected '$' at offset 2"),
    ("$x$", "unexpected '$' at offset 2"),
    ("$a b", "unexpected ' ' at offset 2"),
    ("$.a b", "unexpected ' ' at offset 3"),
    ("$.a\tb", "unexpected '\\t' at offset 3"),
    ("$.a,b", "unexpected ',' at offset 3"),
    ("$.a*", "unexpected '*' at offset 3"),
    ("$.'a'", "expected a field name at offset 2"),
    ("$.a[0]b", "unexpected 'b' at offset 6"),
    ("$.a.length().b", "nothing may follow a function call"),
]


# Jayway, the JSONPath engine AWS runs, trims spaces (only U+0020) around a path before it
# compiles it (PathCompiler.compile: CharacterIndex.trim), so AWS accepts these.
SPACED = ["$$.Execution.Name ", " $.a", "  $.a.b[0]  ", " $ ", " $$ ", " $['a b'] "]


@pytest.mark.parametrize("expr", SPACED)
def test_spaces_around_a_path_are_trimmed(expr: str) -> None:
    assert path_error(expr) is None
    assert path_error(expr, reference=True) is None


def test_spaces_around_a_path_do_not_loosen_reference_rules() -> None:
    message = path_error(" $.a[*] ", reference=True)
    assert message is not None and REFERENCE_ONLY in message


@pytest.mark.parametrize(("expr", "fragment"), INVALID)
def test_invalid_paths(expr: str, fragment: str) -> None:
    message = path_error(expr)
    assert message is not None
    assert fragment in message


@pytest.mark.parametrize(("expr", "fragment"), INVALID)
def test_invalid_paths_are_invalid_references_too(expr: str, fragment: str) -> None:
    assert path_error(expr, reference=True) is not None


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("$.a[*]", "found '[*]' at offset 3"),
        ("$.*", "found '*' at offset 2"),
        ("$..a", "found '..' at offset 1"),
        ("$.a.length()", "found function 'length()' at offset 4"),
        ("$['a','b']", "found '['a','b']' at offset 1"),
    ],
)
def test_reference_error_says_where(expr: str, fragment: str) -> None:
    message = path_error(expr, reference=True)
    assert message is not None
    assert fragment in message


def test_modes_are_cached_separately() -> None:
    assert path_error("$[*]") is None
    assert path_error("$[*]", reference=True) is not None
    assert path_error("$[*]") is None


# A grammar-heavy alphabet reaches the scanner's odd corners far more often
# than uniformly random text does.
_PATHISH = st.text(alphabet="$.[]()'\"\\?@*,:-_ 01aZé", max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), _PATHISH), st.booleans())
def test_never_raises(expr: str, reference: bool) -> None:
    result = path_error(expr, reference=reference)
    assert result is None or (isinstance(result, str) and result)


@settings(max_examples=200, deadline=None)
@given(_PATHISH)
def test_reference_is_never_looser(expr: str) -> None:
    if path_error(expr, reference=True) is None:
        assert path_error(expr) is None


# ---------------------------------------------------------------------------
# Conformance: every path and intrinsic in definitions AWS accepted must pass.

_PATH_FIELDS = frozenset(
    {
        "InputPath",
        "OutputPath",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "ErrorPath",
        "CausePath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCountPath",
    }
)
# Payload templates: only their "key.$" entries are evaluated. "Result" is
# deliberately absent: its "key.$" entries are literal data.
_TEMPLATE_FIELDS = frozenset(
    {"Parameters", "ItemSelector", "ResultSelector", "Assign", "Credentials", "BatchInput"}
)

Found = tuple[str, str, bool]  # (where, expression, is reference path)


def _template(node: Any, where: str, language: str) -> Iterator[Found]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith(".$") and isinstance(value, str) and language != "JSONata":
                yield f"{where}/{key}", value, False
            else:
                yield from _template(value, f"{where}/{key}", language)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _template(item, f"{where}/{index}", language)


def _config(node: Any, where: str, language: str) -> Iterator[Found]:
    """ItemReader / ItemBatcher / ResultWriter: *Path fields plus templates."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _TEMPLATE_FIELDS:
            yield from _template(value, f"{where}/{key}", language)
        elif key.endswith("Path") and isinstance(value, str):
            yield f"{where}/{key}", value, False
        elif isinstance(value, dict):
            yield from _config(value, f"{where}/{key}", language)


def _rule(rule: Any, where: str, language: str) -> Iterator[Found]:
    if not isinstance(rule, dict):
        return
    for key, value in rule.items():
        if key == "Variable" and isinstance(value, str):
            yield f"{where}/Variable", value, True
        elif key.endswith("Path") and isinstance(value, str):
            yield f"{where}/{key}", value, True
        elif key in ("And", "Or") and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _rule(sub, f"{where}/{key}/{index}", language)
        elif key == "Not":
            yield from _rule(value, f"{where}/Not", language)
        elif key == "Assign":
            yield from _template(value, f"{where}/Assign", language)


def _state(state: Any, where: str, language: str) -> Iterator[Found]:
    if not isinstance(state, dict):
        return
    language = state.get("QueryLanguage", language)
    for key, value in state.items():
        here = f"{where}/{key}"
        if key in _PATH_FIELDS and isinstance(value, str):
            yield here, value, False
        elif key == "ResultPath" and isinstance(value, str):
            yield here, value, True
        elif key in _TEMPLATE_FIELDS:
            yield from _template(value, here, language)
        elif key == "Choices" and isinstance(value, list):
            for index, rule in enumerate(value):
                yield from _rule(rule, f"{here}/{index}", language)
        elif key == "Catch" and isinstance(value, list):
            for index, catcher in enumerate(value):
                yield from _state(catcher, f"{here}/{index}", language)
        elif key == "Branches" and isinstance(value, list):
            for index, branch in enumerate(value):
                yield from _machine(branch, f"{here}/{index}", language)
        elif key in ("Iterator", "ItemProcessor"):
            yield from _machine(value, here, language)
        elif key in ("ItemReader", "ItemBatcher", "ResultWriter"):
            yield from _config(value, here, language)


def _machine(machine: Any, where: str, language: str = "JSONPath") -> Iterator[Found]:
    if not isinstance(machine, dict):
        return
    language = machine.get("QueryLanguage", language)
    states = machine.get("States")
    if isinstance(states, dict):
        for name, state in states.items():
            yield from _state(state, f"{where}/States/{name}", language)


def test_conformance_corpus_is_accepted(corpus_cases: list[dict[str, Any]]) -> None:
    checked = 0
    rejected: list[str] = []
    for case in corpus_cases:
        for where, expr, reference in _machine(case["definition"], ""):
            if expr.lstrip().startswith("{%"):
                continue
            checked += 1
            if not reference and is_intrinsic(expr):
                message = intrinsic_error(expr)
            else:
                message = path_error(expr, reference=reference)
            if message is not None:
                rejected.append(f"{case['id']} {where} {expr!r}: {message}")
    assert checked > 100, f"only {checked} expressions found; is the walker broken?"
    assert not rejected, "\n".join(rejected[:50])


# ---------------------------------------------------------------------------
# The parse tree the engine evaluates.


@pytest.mark.parametrize(
    ("expr", "root", "variable", "segments"),
    [
        ("$", "input", None, ()),
        ("$$", "context", None, ()),
        ("$$.Execution.Id", "context", None, (Field(("Execution",)), Field(("Id",)))),
        ("$myVar.items[0]", "variable", "myVar", (Field(("items",)), Index((0,)))),
        ("$.a-b.@c", "input", None, (Field(("a-b",)), Field(("@c",)))),
        ("$['a.b'][-1]", "input", None, (Field(("a.b",)), Index((-1,)))),
        ("$['it\\'s']", "input", None, (Field(("it's",)),)),
        # AWS resolves only the quote itself: the key recorded on AWS kept the backslash.
        ('$[\'Test\\""Name"\']', "input", None, (Field(('Test\\""Name"',)),)),
        ("$.a.['b']", "input", None, (Field(("a",)), Field(("b",)))),
        ("$[*]", "input", None, (Wildcard(),)),
        ("$.*", "input", None, (Wildcard(),)),
        ("$..name", "input", None, (Descent(Field(("name",))),)),
        ("$..*", "input", None, (Descent(Wildcard()),)),
        ("$..[0]", "input", None, (Descent(Index((0,))),)),
        ("$[1:3]", "input", None, (Slice(1, 3, None),)),
        ("$[::2]", "input", None, (Slice(None, None, 2),)),
        ("$[-2:]", "input", None, (Slice(-2, None, None),)),
        ("$[0, 1]", "input", None, (Index((0, 1)),)),
        ("$['a', \"b\"]", "input", None, (Field(("a", "b")),)),
        ("$[?(@.price < 10)]", "input", None, (Filter("@.price < 10"),)),
        ("$[(@.length-1)]", "input", None, (Script("@.length-1"),)),
        ("  $.a ", "input", None, (Field(("a",)),)),
    ],
)
def test_parse_path_builds_the_tree(
    expr: str, root: str, variable: str | None, segments: tuple[Segment, ...]
) -> None:
    tree = parse_path(expr)
    assert (tree.root, tree.variable, tree.segments, tree.function) == (
        root,
        variable,
        segments,
        None,
    )


def test_parse_path_keeps_a_trailing_function() -> None:
    tree = parse_path("$.a[*].b.concat('x', 1)")
    assert tree.segments == (Field(("a",)), Wildcard(), Field(("b",)))
    assert tree.function == Function("concat", "'x', 1")
    assert function_arguments(tree.function.arguments) == ("x", 1)


@pytest.mark.parametrize(
    ("expr", "definite", "reference", "jayway"),
    [
        ("$.a.b[0]", True, True, "$['a']['b'][0]"),
        ("$$.Execution.Input", True, True, "$['Execution']['Input']"),
        ("$['a','b']", True, False, "$['a','b']"),
        ("$['a','b'].c", False, False, "$['a','b']['c']"),
        ("$.a.length()", True, False, "$['a']"),
        ("$.a[*]", False, False, "$['a'][*]"),
        ("$..a", False, False, "$..['a']"),
        ("$[0,1]", False, False, "$[0,1]"),
        ("$[1:]", False, False, "$[1:]"),
        ("$[?(@.a)]", False, False, "$[?]"),
    ],
)
def test_definite_reference_and_jayway_form(
    expr: str, definite: bool, reference: bool, jayway: str
) -> None:
    tree = parse_path(expr)
    assert tree.definite is definite
    assert tree.is_reference is reference
    assert tree.jayway() == jayway
    assert (path_error(expr, reference=True) is None) is reference


@pytest.mark.parametrize(("expr", "fragment"), INVALID)
def test_parse_path_refuses_with_the_checkers_message(expr: str, fragment: str) -> None:
    with pytest.raises(PathSyntaxError) as failure:
        parse_path(expr)
    assert str(failure.value) == path_error(expr)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        (
            "@.a == 'x'",
            Comparison(Operand(path=parse_path("$.a"), relative=True), "==", Operand("x")),
        ),
        (
            "@.price<$.max",
            Comparison(
                Operand(path=parse_path("$.price"), relative=True),
                "<",
                Operand(path=parse_path("$.max")),
            ),
        ),
        ("!@.x", Not(Comparison(Operand(path=parse_path("$.x"), relative=True), "exists", None))),
        (
            "@.n >= 1 && (@.n < 3 || @.t in ['a', \"b\"])",
            Logical(
                "&&",
                (
                    Comparison(Operand(path=parse_path("$.n"), relative=True), ">=", Operand(1)),
                    Logical(
                        "||",
                        (
                            Comparison(
                                Operand(path=parse_path("$.n"), relative=True), "<", Operand(3)
                            ),
                            Comparison(
                                Operand(path=parse_path("$.t"), relative=True),
                                "in",
                                Operand(["a", "b"]),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ],
)
def test_parse_filter(text: str, tree: FilterExpr) -> None:
    parsed = parse_filter(text)
    # The relative paths keep their own text ("@.a"); compare their segments.
    assert _shape(parsed) == _shape(tree)


def _shape(node: Any) -> Any:
    if isinstance(node, Logical):
        return (node.op, tuple(_shape(operand) for operand in node.operands))
    if isinstance(node, Not):
        return ("!", _shape(node.operand))
    if isinstance(node, Comparison):
        return (_shape(node.left), node.op, _shape(node.right))
    if isinstance(node, Operand):
        path = None if node.path is None else (node.path.root, node.path.segments)
        return (node.value, path, node.relative)
    return node


def test_parse_filter_reads_regular_expressions() -> None:
    tree = parse_filter("@.name =~ /^ab.*/i")
    assert isinstance(tree, Comparison) and tree.right is not None
    assert tree.right.regex is not None and tree.right.regex.fullmatch("ABC")


@pytest.mark.parametrize("text", ["@.a ==", "@.a == 'x", "(@.a", "1", "@.a =~ /x", "@.a == 1 2"])
def test_parse_filter_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(FilterSyntaxError):
        parse_filter(text)


def test_parse_filter_bounds_nesting() -> None:
    with pytest.raises(FilterSyntaxError, match="nested too deeply"):
        parse_filter("!" * 500 + "@.a")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), _PATHISH, _PATHISH.map("$".__add__)))
def test_parse_path_accepts_exactly_what_path_error_accepts(expr: str) -> None:
    error = path_error(expr)
    try:
        tree = parse_path(expr)
    except PathSyntaxError as exc:
        assert error is not None and str(exc) == error
    else:
        assert error is None
        assert tree.is_reference is (path_error(expr, reference=True) is None)


def test_overlong_indexes_parse_without_python_limits() -> None:
    tree = parse_path("$[1, " + "9" * 5000 + "]")
    assert tree.segments == (Index((1, 2**63)),)
