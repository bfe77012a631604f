"""Reading definition files (project/files.py) on real files: unquoted `${Name}` placeholders
in JSON, where its errors point, duplicate keys and nesting too deep to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_flows.errors import InputFileError
from sfn_flows.project.files import load_definition
from sfn_flows.validate import validate_definition
from sfn_flows.validate.values import UnquotedPlaceholder

# What SAM and CloudFormation users write with DefinitionSubstitutions: CloudFormation puts
# the text in place of each ${Name} before AWS parses the file, so these become numbers.
SUBSTITUTED = """{
  "StartAt": "Wait",
  "TimeoutSeconds": ${MachineTimeout},
  "States": {
    "Wait": {"Type": "Wait", "Seconds":${ReminderTimeout}, "Next": "Work"},
    "Work": {
      "Type": "Task",
      "Resource": "${WorkFunctionArn}",
      "TimeoutSeconds": ${TaskTimeout} ,
      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts":
        ${Attempts}, "BackoffRate": ${Backoff}}],
      "Parameters": {"sizes": [${Small}, ${Large}], "note": "keep ${Note} and \\"${Quoted}"},
      "End": true
    }
  }
}
"""


def write(tmp_path: Path, text: str, name: str = "flow.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unquoted_placeholders_are_read_as_placeholders(tmp_path: Path) -> None:
    loaded = load_definition(write(tmp_path, SUBSTITUTED))
    definition = loaded.definition
    assert validate_definition(definition, strict=True, size=loaded.size, source="json") == []
    work = definition["States"]["Work"]
    unquoted = [
        definition["TimeoutSeconds"],
        definition["States"]["Wait"]["Seconds"],
        work["TimeoutSeconds"],
        work["Retry"][0]["MaxAttempts"],
        work["Retry"][0]["BackoffRate"],
        *work["Parameters"]["sizes"],
    ]
    assert all(type(value) is UnquotedPlaceholder for value in unquoted)
    assert unquoted[0] == "${MachineTimeout}" and unquoted[-1] == "${Large}"
    # Quoted ones, and placeholders inside strings, stay the strings they are.
    assert type(work["Resource"]) is str and work["Resource"] == "${WorkFunctionArn}"
    assert work["Parameters"]["note"] == 'keep ${Note} and "${Quoted}'


def test_a_quoted_placeholder_in_a_number_field_is_refused(tmp_path: Path) -> None:
    text = SUBSTITUTED.replace('"Seconds":${ReminderTimeout}', '"Seconds": "${ReminderTimeout}"')
    loaded = load_definition(write(tmp_path, text))
    [problem] = validate_definition(loaded.definition, size=loaded.size, source="json")
    assert (problem.pointer, problem.code) == ("/States/Wait/Seconds", "quoted-placeholder")


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        ('{"A": ${LongPlaceholderName}, "B" 1}', "1}", "Expecting ':' delimiter"),
        ('{"A": ${X} ${Y}}', "${Y}", "Expecting ',' delimiter"),
        ('{"A": [${First}, ${Second}]\n,\n "B": ${Third} x}', "x}", "Expecting ',' delimiter"),
        ("{${X}: 1}", "${X}", "Expecting property name enclosed in double quotes"),
        ('{"A": ${X}, "B": "open}', '"open', "Unterminated string starting at"),
    ],
    ids=["after", "at", "next-line", "as-key", "unterminated"],
)
def test_json_errors_near_placeholders_name_the_original_place(
    tmp_path: Path, text: str, at: str, message: str
) -> None:
    # The reader puts something longer in place of each ${Name}; the line and column said
    # are those of the file.
    offset = text.index(at)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    path = write(tmp_path, text)
    with pytest.raises(InputFileError) as caught:
        load_definition(path)
    assert str(caught.value) == f"{path}:{line}:{column}: invalid JSON: {message}."


def test_an_escaped_nul_key_is_not_taken_for_a_placeholder(tmp_path: Path) -> None:
    # The reader marks each unquoted ${Name} with an object whose key holds NUL characters;
    # the file's own objects with such keys stay objects.
    text = (
        '{"StartAt": "A", "TimeoutSeconds": ${T}, "States": {"A": {"Type": "Pass", '
        '"Result": {"\\u0000": "${X}", "\\u0000\\u0000": "${Y}"}, "End": true}}}'
    )
    definition = load_definition(write(tmp_path, text)).definition
    assert type(definition["TimeoutSeconds"]) is UnquotedPlaceholder
    assert definition["States"]["A"]["Result"] == {"\x00": "${X}", "\x00\x00": "${Y}"}


def test_a_file_without_unquoted_placeholders_is_read_as_it_is(tmp_path: Path) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${Here}", "End": true}}}'
    assert load_definition(write(tmp_path, text)).definition == json.loads(text)


def test_duplicate_keys_carry_the_pointer_of_their_object(tmp_path: Path) -> None:
    text = (
        '{"StartAt": "A", "StartAt": "A", "States": {"A/B": {"Type": "Pass", "End": true, '
        '"Result": [{"x": 1, "x": 2}], "End": true}}}'
    )
    loaded = load_definition(write(tmp_path, text))
    pairs = [(duplicate.pointer, duplicate.key) for duplicate in loaded.duplicate_keys]
    assert pairs == [("", "StartAt"), ("/States/A~1B", "End"), ("/States/A~1B/Result/0", "x")]


def test_json_nested_too_deeply_says_how_deep_is_readable(tmp_path: Path) -> None:
    path = write(tmp_path, '{"StartAt": "A", "States": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputFileError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: JSON nested 100,001 levels deep")
    said = message.split("sfn-flows reads at most ", 1)[1].split(".", 1)[0]
    readable = int(said.replace(",", ""))
    assert 0 < readable < 100_001
    json.loads("[" * readable + "]" * readable)  # the number said is true here
    assert "Flatten it" in message


def test_yaml_nested_too_deeply_says_to_flatten(tmp_path: Path) -> None:
    path = write(tmp_path, "StartAt: A\nStates: " + "[" * 100_000 + "]" * 100_000 + "\n", "f.yaml")
    with pytest.raises(InputFileError) as caught:
        load_definition(path)
    assert str(caught.value).startswith(f"{path}: YAML nested too deeply to read")
    assert "Flatten it" in str(caught.value)
