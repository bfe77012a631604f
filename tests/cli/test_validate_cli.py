"""`sfn-flows validate` run as a real process on files written to a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

VALID: dict[str, Any] = {
    "Comment": "one Pass state",
    "StartAt": "A",
    "TimeoutSeconds": 60,
    "States": {"A": {"Type": "Pass", "End": True}},
}

VALID_YAML = """\
Comment: one Task state
StartAt: Work
TimeoutSeconds: 300
States:
  Work:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    TimeoutSeconds: 30
    Parameters:
      FunctionName: ${WorkFunctionArn}
      Payload.$: $
    Next: Done
  Done:
    Type: Succeed
"""

# Three independent errors, each at its own pointer.
BROKEN: dict[str, Any] = {
    "StartAt": "A",
    "TimeoutSeconds": 60,
    "States": {
        "A": {"Type": "Pass", "Next": "B", "Reslt": 1},
        "B": {"Type": "Wait", "Seconds": -1, "Next": "C"},
        "C": {"Type": "Fail", "Cause": 7},
    },
}
BROKEN_POINTERS = ["/States/A/Reslt", "/States/B/Seconds", "/States/C/Cause"]

NO_TASK_TIMEOUT: dict[str, Any] = {
    "StartAt": "A",
    "TimeoutSeconds": 60,
    "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
}


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "sfn_flows.cli.app", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def write(path: Path, content: Any) -> Path:
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def assert_clean_failure(done: subprocess.CompletedProcess[str]) -> None:
    """A user's mistake: a non-zero exit and a message, never a Python traceback."""
    assert done.returncode != 0, output(done)
    assert "Traceback" not in output(done), output(done)


def problem_lines(done: subprocess.CompletedProcess[str], path: Path) -> list[str]:
    return [
        line
        for line in done.stdout.splitlines()
        if line.startswith(f"{path}: /") and (": error: " in line or ": warning: " in line)
    ]


# ---- valid files -------------------------------------------------------------------------


def test_module_entry_point_shows_help() -> None:
    done = run("--help")
    assert done.returncode == 0, output(done)
    assert "--strict" in done.stdout and "--json" in done.stdout


def test_valid_json_file(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.asl.json", VALID)
    done = run(path)
    assert done.returncode == 0, output(done)
    assert f"{path}: valid" in done.stdout
    assert problem_lines(done, path) == []
    assert "Traceback" not in output(done)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_valid_yaml_file(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"flow{suffix}", VALID_YAML)
    done = run(path)
    assert done.returncode == 0, output(done)
    assert f"{path}: valid" in done.stdout
    assert problem_lines(done, path) == []


def test_yaml_is_really_parsed_as_yaml(tmp_path: Path) -> None:
    # The same broken machine as YAML: problems prove the content was read, not skipped.
    path = write(tmp_path / "broken.yaml", json.dumps(BROKEN))  # JSON is valid YAML
    done = run(path)
    assert_clean_failure(done)
    assert len(problem_lines(done, path)) == 3


# ---- problems in a definition ----------------------------------------------------------------


def test_file_with_several_problems(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.json", BROKEN)
    done = run(path)
    assert_clean_failure(done)
    assert done.returncode == 1
    lines = problem_lines(done, path)
    assert len(lines) == 3, done.stdout
    for pointer, line in zip(BROKEN_POINTERS, lines, strict=True):
        assert line.startswith(f"{path}: {pointer}: error: "), line
    assert "did you mean 'Result'?" in lines[0]
    assert f"{path}: 3 error(s)" in done.stdout


def test_each_file_is_reported_and_one_failure_fails_the_run(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", VALID)
    bad = write(tmp_path / "bad.json", BROKEN)
    done = run(good, bad)
    assert_clean_failure(done)
    assert f"{good}: valid" in done.stdout
    assert len(problem_lines(done, bad)) == 3
    assert problem_lines(done, good) == []


def test_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "list.json", [1, 2])
    done = run(path)
    assert_clean_failure(done)
    assert "a state machine definition is a JSON object, not a JSON array" in done.stdout


def test_empty_yaml_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", "")
    done = run(path)
    assert_clean_failure(done)
    assert "not null" in done.stdout


def test_yaml_non_string_state_name(tmp_path: Path) -> None:
    # YAML reads `1:` as an integer key; the validator must report it, not crash.
    text = (
        "StartAt: A\nTimeoutSeconds: 5\nStates:\n"
        "  1: {Type: Pass, End: true}\n  A: {Type: Pass, End: true}\n"
    )
    path = write(tmp_path / "names.yaml", text)
    done = run(path)
    assert_clean_failure(done)
    assert [line.split(": ")[1] for line in problem_lines(done, path)] == ["/States/1"]
    assert "is not a string" in done.stdout


def test_definition_over_one_megabyte(tmp_path: Path) -> None:
    big = dict(VALID, Comment="x" * (1024 * 1024))
    path = write(tmp_path / "big.json", big)
    done = run(path)
    assert_clean_failure(done)
    assert f"{path}: /: error: the definition is" in done.stdout
    assert "at most 1,048,576" in done.stdout


# ---- files that cannot be read -------------------------------------------------------------


def test_invalid_json(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", '{\n  "StartAt": "A",\n  "States": {"A" {}}\n}\n')
    done = run(path)
    assert_clean_failure(done)
    assert done.returncode == 1
    assert f"{path}:3:18: invalid JSON: Expecting ':' delimiter" in output(done)


def test_empty_json_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.json", "")
    done = run(path)
    assert_clean_failure(done)
    assert f"{path}:1:1: invalid JSON" in output(done)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    text = "StartAt: A\nStates:\n  A: {Type: Pass, End: true\nTimeoutSeconds: 5\n"
    path = write(tmp_path / "bad.yaml", text)
    done = run(path)
    assert_clean_failure(done)
    text = output(done)
    assert "invalid YAML" in text
    assert f"{path}:4:" in text  # the parser notices the unclosed flow mapping on line 4


def test_yaml_tab_indentation_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "tabs.yml", "StartAt: A\nStates:\n\tA: {}\n")
    done = run(path)
    assert_clean_failure(done)
    assert f"{path}:3:" in output(done)
    assert "invalid YAML" in output(done)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    done = run(path)
    assert_clean_failure(done)
    assert done.returncode == 1
    assert f"{path}: no such file" in output(done)


def test_folder(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert_clean_failure(done)
    assert done.returncode == 1
    assert "is a folder" in output(done)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"Comment": "caf\xe9"}')
    done = run(path)
    assert_clean_failure(done)
    assert "not UTF-8" in output(done)


def test_unreadable_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", VALID)
    done = run(tmp_path / "nowhere.json", good)
    assert_clean_failure(done)
    assert f"{good}: valid" in done.stdout


def test_no_file_given() -> None:
    done = run()
    assert_clean_failure(done)


# ---- --strict and warnings -------------------------------------------------------------------


def test_missing_task_timeout_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.json", NO_TASK_TIMEOUT)
    done = run(path)
    assert done.returncode == 0, output(done)
    [line] = problem_lines(done, path)
    assert line.startswith(f"{path}: /States/A: warning: this Task has no TimeoutSeconds")
    assert f"{path}: valid, 1 warning(s)" in done.stdout


def test_strict_turns_a_warning_into_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.json", NO_TASK_TIMEOUT)
    done = run(path, "--strict")
    assert_clean_failure(done)
    assert done.returncode == 1
    [line] = problem_lines(done, path)
    assert line.startswith(f"{path}: /States/A: error: this Task has no TimeoutSeconds")
    assert f"{path}: 1 error(s)" in done.stdout


def test_strict_passes_a_clean_file(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.json", VALID)
    done = run("--strict", path)
    assert done.returncode == 0, output(done)


def test_duplicate_key_is_a_warning(tmp_path: Path) -> None:
    text = (
        '{"StartAt": "A", "TimeoutSeconds": 60, "States": '
        '{"A": {"Type": "Pass", "End": true, "End": true}}}'
    )
    path = write(tmp_path / "dup.json", text)
    done = run(path)
    assert done.returncode == 0, output(done)
    [line] = problem_lines(done, path)
    # The pointer of the object that holds the key twice (it was empty: "/").
    assert line.startswith(f"{path}: /States/A: warning: key 'End' appears twice")
    strict = run(path, "--strict")
    assert_clean_failure(strict)
    assert ": error: key 'End' appears twice" in strict.stdout


def test_unquoted_placeholders_in_a_json_file(tmp_path: Path) -> None:
    # SAM/CloudFormation definition files with DefinitionSubstitutions: "invalid JSON" before.
    text = (
        '{"StartAt": "W", "TimeoutSeconds": ${Timeout}, "States": {"W": {"Type": "Wait", '
        '"Seconds": ${Reminder}, "Next": "T"}, "T": {"Type": "Task", "Resource": "${Fn}", '
        '"TimeoutSeconds": "${TaskTimeout}", "End": true}}}'
    )
    path = write(tmp_path / "sam.json", text)
    done = run(path)
    assert_clean_failure(done)
    [line] = problem_lines(done, path)
    assert line.startswith(f"{path}: /States/T/TimeoutSeconds: error: ")
    assert 'write it unquoted, `"TimeoutSeconds": ${TaskTimeout}`' in line
    fixed = write(tmp_path / "fixed.json", text.replace('"${TaskTimeout}"', "${TaskTimeout}"))
    done = run(fixed)
    assert done.returncode == 0, output(done)
    assert f"{fixed}: valid" in done.stdout


def test_json_too_deep_to_read_says_how_to_fix_it(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.json", "[" * 50_000 + "]" * 50_000)
    done = run(path)
    assert_clean_failure(done)
    assert f"{path}: JSON nested 50,000 levels deep" in done.stdout
    assert "Flatten it" in done.stdout


# ---- --json ------------------------------------------------------------------------------------


def test_json_output_for_a_valid_file(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.json", VALID)
    done = run("--json", path)
    assert done.returncode == 0, output(done)
    document = json.loads(done.stdout)
    assert document == {"ok": True, "files": [{"file": str(path), "ok": True, "problems": []}]}


def test_json_output_lists_pointers(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", VALID)
    bad = write(tmp_path / "bad.json", BROKEN)
    done = run(good, bad, "--json")
    assert_clean_failure(done)
    document = json.loads(done.stdout)
    assert document["ok"] is False
    first, second = document["files"]
    assert (first["file"], first["ok"], first["problems"]) == (str(good), True, [])
    assert (second["file"], second["ok"]) == (str(bad), False)
    assert [p["pointer"] for p in second["problems"]] == BROKEN_POINTERS
    assert {p["severity"] for p in second["problems"]} == {"error"}
    assert [p["code"] for p in second["problems"]] == ["field", "number", "fail"]
    for problem in second["problems"]:
        assert set(problem) == {"pointer", "severity", "code", "message", "fix"}


def test_json_output_for_warnings_and_strict(tmp_path: Path) -> None:
    path = write(tmp_path / "flow.json", NO_TASK_TIMEOUT)
    lenient = json.loads(run("--json", path).stdout)
    assert lenient["ok"] is True
    [problem] = lenient["files"][0]["problems"]
    assert (problem["pointer"], problem["code"], problem["severity"]) == (
        "/States/A",
        "missing-timeout",
        "warning",
    )
    done = run("--json", "--strict", path)
    assert_clean_failure(done)
    strict = json.loads(done.stdout)
    assert strict["ok"] is False
    assert strict["files"][0]["problems"][0]["severity"] == "error"


def test_json_output_for_unreadable_files(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", "{")
    missing = tmp_path / "nowhere.yaml"
    done = run("--json", bad, missing)
    assert_clean_failure(done)
    document = json.loads(done.stdout)  # nothing but the JSON document on stdout
    assert document["ok"] is False
    first, second = document["files"]
    assert first["ok"] is False and "invalid JSON" in first["error"]
    assert second["ok"] is False and "no such file" in second["error"]


# ---- file names are printed as they are ----------------------------------------------------


def test_file_name_with_brackets_is_printed_as_is(tmp_path: Path) -> None:
    # Rich markup would eat "[v2]" if the name were not escaped.
    path = write(tmp_path / "flow[v2].json", VALID)
    done = run(path)
    assert f"{path}: valid" in done.stdout


def test_unquoted_yaml_timestamp_stays_a_string(tmp_path: Path) -> None:
    # YAML would read 2026-01-31T12:00:00Z as a datetime; ASL wants the string.
    path = tmp_path / "wait.yaml"
    path.write_text(
        "StartAt: W\nTimeoutSeconds: 10\nStates:\n"
        "  W: {Type: Wait, Timestamp: 2026-01-31T12:00:00Z, End: true}\n"
    )
    done = run(path)
    assert done.returncode == 0, done.stdout
    assert f"{path}: valid" in done.stdout


# ---- real-world YAML: placeholders, intrinsics, YAML 1.1 booleans ---------------------------


def test_yaml_of_a_sam_definition_file_is_valid(tmp_path: Path) -> None:
    # Shaped like a DefinitionUri file: CloudFormation replaces ${...} in the text before it
    # parses it, so the unquoted placeholders become numbers; Resource is an intrinsic object.
    text = """\
StartAt: Remind
TimeoutSeconds: ${MachineTimeout}
States:
  Remind:
    Type: Task
    Resource: {"Fn::GetAtt": [RemindFunction, Arn]}
    TimeoutSeconds: ${TaskTimeout}
    Retry:
      - ErrorEquals: [States.TaskFailed]
        IntervalSeconds: ${RetryInterval}
        MaxAttempts: ${RetryAttempts}
        BackoffRate: ${RetryBackoff}
    Next: Wait
  Wait:
    Type: Wait
    Seconds: ${ReminderTimeout}
    Next: Done
  Done:
    Type: Succeed
"""
    path = write(tmp_path / "reminder.asl.yaml", text)
    done = run("--strict", path)
    assert done.returncode == 0, output(done)
    assert f"{path}: valid" in done.stdout


def test_yaml_yes_and_no_state_names_are_explained(tmp_path: Path) -> None:
    text = """\
StartAt: Approved?
TimeoutSeconds: 60
States:
  Approved?:
    Type: Choice
    Choices:
      - Variable: $.approved
        BooleanEquals: true
        Next: Yes
    Default: No
  Yes:
    Type: Succeed
  No:
    Type: Fail
"""
    path = write(tmp_path / "approval.yaml", text)
    done = run(path)
    assert_clean_failure(done)
    lines = problem_lines(done, path)
    pointers = [line.split(": ")[1] for line in lines]
    assert pointers == [
        "/States/True",
        "/States/False",
        "/States/Approved?/Choices/0/Next",
        "/States/Approved?/Default",
    ], done.stdout
    for line in lines:
        assert "unquoted yes/no/on/off/true/false" in line, line
        assert "does not exist" not in line, line
    assert "Next must be a string" in lines[2]
    assert 'quote the name in the YAML file, e.g. Next: "Yes"' in lines[2]


def test_json_true_next_has_no_yaml_hint(tmp_path: Path) -> None:
    definition = dict(VALID, States={"A": {"Type": "Pass", "Next": True}})
    path = write(tmp_path / "next.json", definition)
    done = run(path)
    assert_clean_failure(done)
    [line] = problem_lines(done, path)
    assert "/States/A/Next: error: Next must be a string" in line
    assert "YAML" not in line


# ---- hostile files: YAML aliases and the 1 MB limit -----------------------------------------


def laughs(levels: int, under: str, *, width: int = 9) -> str:
    """A billion-laughs YAML definition: each level is a list of `width` aliases of the one
    before, so the last expands to width**levels strings while the file stays tiny."""
    lines = [f"      l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"      l{level}: &l{level} [{refs}]")
    return (
        "StartAt: A\nTimeoutSeconds: 60\nStates:\n  A:\n    Type: Pass\n    End: true\n"
        f"    {under}:\n" + "\n".join(lines) + "\n"
    )


def test_billion_laughs_under_parameters_is_refused(tmp_path: Path) -> None:
    text = laughs(10, "Parameters")  # 9**10: 3.5 billion strings
    assert len(text) < 700
    path = write(tmp_path / "laughs.yaml", text)
    done = run(path)
    assert_clean_failure(done)
    assert done.returncode == 1
    message = output(done)
    assert f"error: {path}: YAML aliases expand this definition to " in message
    assert "beyond the 1,048,576 bytes Step Functions accepts" in message
    assert problem_lines(done, path) == []


def test_alias_bomb_under_result_is_refused(tmp_path: Path) -> None:
    # Result is never walked, so this one was reported valid: the limit was checked on the
    # file's few hundred bytes, not on the megabytes of JSON AWS would receive.
    text = laughs(6, "Result", width=10)  # 10**6 strings: 6 MB of JSON
    assert len(text) < 600
    expanded = yaml.safe_load(text)
    size = len(json.dumps(expanded, separators=(",", ":")))
    assert size > 6_000_000
    path = write(tmp_path / "result.yaml", text)
    done = run(path, "--json")
    assert_clean_failure(done)
    [result] = json.loads(done.stdout)["files"]
    assert result["ok"] is False
    assert f"YAML aliases expand this definition to {size:,} bytes of JSON" in result["error"]


def test_merge_keys_merged_again_and_again_are_read_once(tmp_path: Path) -> None:
    # `<<` merges copy the pairs of the merged mappings: ten levels of ten merges each made
    # PyYAML build 10**10 pairs (minutes) for a mapping of eleven keys.
    lines = ["      m0: &m0 {k0: 0, k1: 1}"]
    for level in range(1, 10):
        refs = ", ".join([f"*m{level - 1}"] * 10)
        lines.append(f"      m{level}: &m{level} {{<<: [{refs}], n{level}: *m{level - 1}}}")
    text = (
        "StartAt: A\nTimeoutSeconds: 60\nStates:\n  A:\n    Type: Pass\n    End: true\n"
        "    Result:\n" + "\n".join(lines) + "\n"
    )
    path = write(tmp_path / "merge.yaml", text)
    done = run(path)
    assert done.returncode == 0, output(done)
    assert f"{path}: valid" in done.stdout


def test_yaml_aliases_within_the_limit_are_fine(tmp_path: Path) -> None:
    text = """\
StartAt: A
TimeoutSeconds: 60
States:
  A:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    TimeoutSeconds: 30
    Retry: &retry
      - ErrorEquals: [States.TaskFailed]
        MaxAttempts: 3
    Next: B
  B:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    TimeoutSeconds: 30
    Retry: *retry
    End: true
"""
    path = write(tmp_path / "shared.yaml", text)
    done = run("--strict", path)
    assert done.returncode == 0, output(done)


def test_yaml_value_that_contains_itself_is_not_json(tmp_path: Path) -> None:
    text = "StartAt: A\nTimeoutSeconds: 60\nStates:\n  A:\n    Type: Pass\n    End: true\n"
    path = write(tmp_path / "loop.yaml", text + "    Result: &r [1, *r]\n")
    done = run(path)
    assert_clean_failure(done)
    [line] = problem_lines(done, path)
    assert "/States/A/Result/1: error: an object that contains itself is not a JSON value" in line


def test_yaml_over_the_limit_as_json_is_refused(tmp_path: Path) -> None:
    # No aliases: 300,000 `~` in a flow list are 600 KB of YAML but 1.5 MB of JSON ("null").
    text = "StartAt: A\nTimeoutSeconds: 60\nStates:\n  A:\n    Type: Pass\n    End: true\n"
    path = write(
        tmp_path / "nulls.yaml", text + "    Result: [" + ",".join(["~"] * 300_000) + "]\n"
    )
    done = run(path)
    assert_clean_failure(done)
    [line] = problem_lines(done, path)
    assert f"{path}: /: error: as JSON (what CloudFormation sends for a YAML file) " in line
    assert "the definition is 1,500," in line


def test_indented_json_over_the_limit_is_refused_with_the_compact_size(tmp_path: Path) -> None:
    # AWS receives a JSON file's text as it is (CreateStateMachine takes the string, and
    # CloudFormation checks a definition file's bytes), so indentation counts.
    states = {
        f"S{i}": {"Type": "Pass", "Result": {"n": list(range(8))}, "Next": f"S{i + 1}"}
        for i in range(6_000)
    }
    states["S6000"] = {"Type": "Succeed"}
    definition = dict(VALID, StartAt="S0", States=states)
    path = write(tmp_path / "indented.json", definition)  # json.dumps(indent=2)
    compact = len(json.dumps(definition, separators=(",", ":")))
    assert compact < 1024 * 1024 < path.stat().st_size
    done = run(path)
    assert_clean_failure(done)
    [line] = problem_lines(done, path)
    assert f"the definition is {path.stat().st_size:,} bytes" in line
    assert f"remove the indentation and line breaks: compact, it is {compact:,} bytes" in line
