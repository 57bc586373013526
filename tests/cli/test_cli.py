"""The ``silolake`` command line contract, run as a user runs it (a subprocess).

Bad user input exits 2 with located ``file:line:col: path: message`` lines and never a
Python traceback; a bad catalog makes ``synth`` write nothing. Only one test pays for
importing cdktf (~15 s): it synthesizes the example once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from silolake.aws.names import stack_name
from silolake.catalog import load_catalog

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "fixtures" / "acme" / "silos.yaml"
LOCATED = re.compile(r"^[^:\n]+:\d+:\d+: \S+: .+$")


def silolake(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "silolake", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def problem_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The located lines of a failed run (everything before the closing count)."""
    *lines, summary = result.stderr.splitlines()
    assert summary == f"{len(lines)} problem(s) found"
    assert lines and all(LOCATED.match(line) for line in lines), result.stderr
    return lines


def test_validate_example_exits_0() -> None:
    result = silolake("validate", str(EXAMPLE), cwd=REPO)
    assert result.returncode == 0, result.stderr
    catalog = load_catalog(EXAMPLE)
    assert result.stdout.startswith(f"{EXAMPLE}: valid ({len(catalog.silos)} silos, ")
    assert all(line.startswith("notice: ") for line in result.stderr.splitlines())  # not-yet-built features


def test_validate_defaults_to_silos_yaml_in_the_current_directory(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "silos.yaml")
    result = silolake("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("silos.yaml: valid (")


def test_validate_bad_catalog_exits_2(tmp_path: Path) -> None:
    (tmp_path / "silos.yaml").write_text(EXAMPLE.read_text().replace("version: 1", "version: 7"))
    result = silolake("validate", cwd=tmp_path)
    assert result.returncode == 2
    line = EXAMPLE.read_text().splitlines().index("version: 1") + 1
    assert problem_lines(result) == [
        f"silos.yaml:{line}:10: version: unsupported catalog version 7; this silolake reads version 1"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("nope.yaml", None, "nope.yaml:1:1: (document): file not found"),
        ("a_dir", "DIR", "a_dir:1:1: (document): is a directory, expected a YAML file"),
        (
            "binary.yaml",
            b"\x89PNG\r\n\x1a\n\x00\x00\xff",
            "binary.yaml:1:1: (document): not UTF-8 text: byte 0x89 (invalid start byte); save the file as UTF-8",
        ),
        (
            "nul.yaml",
            b"version: 1\x00\n",
            "nul.yaml:1:11: (document): character '\\x00' (#x0000) is not allowed in YAML; is this a text file?",
        ),
        (
            "empty.yaml",
            b"",
            "empty.yaml:1:1: (document): the catalog is empty; start from the example silos.yaml in the repository",
        ),
        (
            "syntax.yaml",
            b"version: 1\norganization: {name: acme\n",
            "syntax.yaml:3:1: (document): YAML syntax error: did not find expected ',' or '}' "
            "(while parsing a flow mapping started on line 2)",
        ),
        (
            "list.yaml",
            b"- a\n- b\n",
            "list.yaml:1:1: (document): the catalog must be a mapping with version, "
            "organization, datalake_account and silos keys, got a list",
        ),
    ],
    ids=["missing", "directory", "binary", "nul byte", "empty", "yaml syntax", "not a mapping"],
)
def test_unreadable_input_is_a_located_error(tmp_path: Path, name: str, content, expected: str) -> None:
    if content == "DIR":
        (tmp_path / name).mkdir()
    elif content is not None:
        (tmp_path / name).write_bytes(content)
    result = silolake("validate", name, cwd=tmp_path)
    assert result.returncode == 2
    assert problem_lines(result) == [expected]


def test_messages_quote_user_values_verbatim(tmp_path: Path) -> None:
    """No console markup or emoji codes are interpreted in a problem line."""
    text = EXAMPLE.read_text().replace("owners: [dan@acme.example]", 'owners: ["[bold]dan:thumbs_up:"]')
    (tmp_path / "silos.yaml").write_text(text)
    result = silolake("validate", cwd=tmp_path)
    assert result.returncode == 2
    [line] = problem_lines(result)
    assert line.endswith(": '[bold]dan:thumbs_up:' is not a valid e-mail address")


def test_bad_lock_file_is_located_in_the_lock_file(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "silos.yaml")
    (tmp_path / "accounts.lock.json").write_text('{"version": 1, "accounts": {"marketing": "123"}}\n')
    result = silolake("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert problem_lines(result) == ["accounts.lock.json:1:42: accounts.marketing: '123' is not a 12-digit account id"]


def test_synth_of_a_bad_catalog_exits_2_without_creating_out(tmp_path: Path) -> None:
    (tmp_path / "silos.yaml").write_text(EXAMPLE.read_text().replace("version: 1", "version: 7"))
    result = silolake("synth", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert problem_lines(result)
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_synth_of_a_bad_catalog_leaves_existing_output_untouched(tmp_path: Path) -> None:
    (tmp_path / "silos.yaml").write_text("version: 1\nsilos: 3\n")
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "org").mkdir(parents=True)
    (out / "stacks" / "org" / "cdk.tf.json").write_text('{"previous": true}')
    (out / "manifest.json").write_text("{}")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = silolake("synth", cwd=tmp_path)  # default --out is cdktf.out
    assert result.returncode == 2
    assert problem_lines(result)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "silos.yaml"]


def test_synth_of_a_missing_catalog_exits_2(tmp_path: Path) -> None:
    result = silolake("synth", "missing.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert problem_lines(result) == ["missing.yaml:1:1: (document): file not found"]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_synth_example_prints_pending_silos_and_one_line_per_stack(tmp_path: Path) -> None:
    catalog = load_catalog(EXAMPLE)
    assert catalog.pending_silos, "the example keeps one email-only silo to show the notice"
    out = tmp_path / "out"
    result = silolake("synth", str(EXAMPLE), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    for silo in catalog.pending_silos:  # 'marketing' in the example
        assert (
            f"notice: silo '{silo.name}' has no account yet (email {silo.email}); no stack synthesized."
            in result.stderr
        )
    assert "marketing" in result.stderr

    expected = (
        ["org", "datalake"]
        + [s.stack_name for s in catalog.deployable_silos]
        + [a.stack_name for a in catalog.analytics]
    )
    assert stack_name("silo", "marketing") not in expected
    lines = result.stdout.splitlines()
    summary = {m[1]: int(m[2]) for line in lines if (m := re.match(r"^\s+(\S+)\s+(\d+) resources\s+\S", line))}
    assert sorted(summary) == sorted(expected)
    assert all(count > 0 for count in summary.values())
    assert lines[-1].startswith(f"Synthesized {len(expected)} stacks into {out.resolve()} in ")
    progress = [
        m[1] for line in result.stderr.splitlines() if (m := re.match(r"^\[\d+/\d+\] (\S+): \d+ resources", line))
    ]
    assert progress == expected, "without a terminal: one plain progress line per stack, in order"
    for name in expected:
        assert (out / "stacks" / name / "cdk.tf.json").is_file()
    assert not (out / "stacks" / stack_name("silo", "marketing")).exists()


def test_quicksight_policy_prints_the_policy_on_stdout_and_the_command_on_stderr() -> None:
    import json

    from silolake.policy import quicksight

    result = silolake("quicksight-policy", str(EXAMPLE), "--silo", "sales", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == quicksight.role_policy("acme", load_catalog(EXAMPLE).silo("sales"))  # type: ignore[arg-type]
    [command] = [line for line in result.stderr.splitlines() if line.startswith("aws ")]
    assert command == (
        "aws iam put-role-policy --role-name aws-quicksight-service-role-v0 --policy-name silolake-athena-data "
        "--policy-document file://silolake-athena-data.json"
    )
    # A silo without a QuickSight flow, and an unknown silo: usage errors.
    assert silolake("quicksight-policy", str(EXAMPLE), "--silo", "facilities", cwd=REPO).returncode == 2
    assert silolake("quicksight-policy", str(EXAMPLE), "--silo", "nope", cwd=REPO).returncode == 2


def test_validate_help_says_what_base_checks_now():
    """``--base`` classifies every change kind (issue 21: the help still said "removed silos and
    changed account ids"), reads the git history for capabilities switched on again, and points
    at docs/day-2.md; ``--synthesized`` is described beside it."""
    result = silolake("validate", "--help", cwd=Path(__file__).parent)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "removed silos and changed account ids" not in text
    assert "classify every change from it (safe, guarded, impossible" in text
    assert "switched on again is checked against the catalog's git history" in text
    assert "docs/day-2.md" in text and "--synthesized With --base: also synthesize" in text
