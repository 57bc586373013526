"""One error model: every domain error is a ``SilolakeError`` whose exit code is the one README.md
tables ("Exit codes"), and every command's error path ends with its documented code, its
message on standard error and no traceback."""

from __future__ import annotations

import ast
import importlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.errors import SilolakeError
from tests.conftest import copy_example
from tests.import_graph import PACKAGE, REPO, module_files

README = REPO / "README.md"
#: Builtin exceptions a class deriving from directly, without a SilolakeError base, escapes the model.
BUILTIN_BASES = {"Exception", "ValueError", "RuntimeError", "OSError", "KeyError", "TypeError", "LookupError"}


def documented() -> dict[str, int]:
    """``{error class name: exit code}`` from the README's table."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- exit-codes:begin -->") : text.index("<!-- exit-codes:end -->")]
    codes: dict[str, int] = {}
    for row in re.finditer(r"^\| (\d+) \|[^|]*\|([^|]*)\|$", table, re.M):
        for name in re.findall(r"`(\w+)`", row[2]):
            assert name not in codes, f"{name} is in two rows"
            codes[name] = int(row[1])
    return codes


def error_classes(root: Path = PACKAGE) -> dict[str, str]:
    """``{class name: module}`` of every exception class the framework under ``root`` defines (by its bases)."""
    defined: dict[str, tuple[str, list[str]]] = {}
    for module, path in module_files(root).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
                defined[node.name] = (module, bases)
    family = {"SilolakeError"}
    grew = True
    while grew:
        grown = {n for n, (_, bases) in defined.items() if family & set(bases)}
        grew = not grown <= family
        family |= grown
    stray = sorted(n for n, (_, bases) in defined.items() if BUILTIN_BASES & set(bases) and n not in family)
    assert stray == [], f"errors outside the model (derive them from silolake.errors): {stray}"
    return {n: defined[n][0] for n in sorted(family)}


def test_every_error_is_tabled_with_its_exit_code() -> None:
    table = documented()
    classes = error_classes()
    assert len(classes) >= 20
    assert sorted(classes) == sorted(table), "README.md's exit-code table and the error classes differ"
    for name, module in classes.items():
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, SilolakeError)
        assert cls.exit_code == table[name], f"{module}.{name} exits {cls.exit_code}, README says {table[name]}"


def test_the_table_check_sees_a_stray_error(tmp_path: Path) -> None:
    """A new error class on a builtin base is refused (the scan is not vacuous)."""
    probe = tmp_path / "silolake"
    probe.mkdir()
    (probe / "__init__.py").write_text("")
    (probe / "thing.py").write_text("class ThingError(ValueError):\n    pass\n")
    with pytest.raises(AssertionError, match="ThingError"):
        error_classes(probe)


def _not_a_wheel_but_named_one(tmp: Path) -> Path:
    wheel = tmp / "silolake-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("silolake/__init__.py", "")
        z.writestr("silolake-0.1.0.dist-info/METADATA", "Name: silolake\nVersion: 0.1.0\n")
    return wheel


def _bad_catalog(tmp: Path) -> str:
    (tmp / "silos.yaml").write_text("version: 2\n")
    return str(tmp / "silos.yaml")


#: Per command: the arguments of one error path (given a scratch directory) and the error it
#: ends with (its code from the README's table). A new command adds its case here.
CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "validate": (lambda t: [_bad_catalog(t)], "CatalogError"),
    "synth": (lambda t: [str(copy_example(t)), "--out", str(t / "out"), "--stack", "nope*"], "StackSelectionError"),
    "bootstrap": (lambda t: [_bad_catalog(t)], "CatalogError"),
    "stacks": (lambda t: [_bad_catalog(t)], "CatalogError"),
    "init": (
        lambda t: [str(t), "--name", "Acme!", "--management-account-id", "1", "--datalake-account-id", "2",
                   "--region", "eu-west-1", "--silo", "sales", "--account-id", "3", "--owner", "a@example.com"],
        "InitError",
    ),  # fmt: skip
    "plan-summary": (lambda t: [str(t / "plan.json")], "PlanError"),
    "affected": (lambda t: [str(copy_example(t)), "--base", "no-such-ref"], "AffectedError"),
    "access-diff": (lambda t: [_bad_catalog(t), "--base", "HEAD"], "CatalogError"),
    "diagram": (lambda t: [_bad_catalog(t)], "CatalogError"),
    "bundle": (lambda t: ["--out", str(t / "none"), "--dest", str(t / "b"), "--commit", "abc"], "UsageError"),
    "verify-bundle": (lambda t: [str(_not_a_wheel_but_named_one(t))], "BundleError"),
    "render": (lambda t: [str(t), "--in-account"], "RenderError"),
    "portal": (lambda t: [str(copy_example(t)), "--silo", "nope"], "UsageError"),
    "quicksight-policy": (lambda t: [str(copy_example(t)), "--silo", "nope"], "UsageError"),
    "redrive": (lambda t: [str(copy_example(t)), "--silo", "nope", "--flow", "orders", "--day", "2026-11-20"],
                "UsageError"),
    "publish": (lambda t: [_bad_catalog(t), "--bucket", "b"], "CatalogError"),
    "mirror-provider": (lambda t: ["--bucket", "b", "--dir", str(t)], "MirrorError"),
    # A well-formed wheel, then S3 without credentials: an AWS refusal, before any network.
    "publish-wheel": (lambda t: ["--bucket", "b", "--wheel", str(_not_a_wheel_but_named_one(t)), "--commit", "abc"],
                      "AwsError"),
}  # fmt: skip


def cases_missing(cases: dict, commands: dict) -> dict[str, list[str]]:
    """Commands without an error case in ``cases``, and cases of no command."""
    return {
        "commands without an error case in CASES": sorted(set(commands) - set(cases)),
        "CASES of no command": sorted(set(cases) - set(commands)),
    }


def test_every_command_has_an_error_case() -> None:
    differ = {what: names for what, names in cases_missing(CASES, main.commands).items() if names}
    assert not differ, differ


def test_a_command_without_an_error_case_is_named() -> None:
    assert cases_missing({"validate": 1, "gone": 2}, {"validate": 1, "init": 2, "hello": 3}) == {
        "commands without an error case in CASES": ["hello", "init"],
        "CASES of no command": ["gone"],
    }


@pytest.mark.parametrize("command", sorted(CASES))
def test_each_command_error_path_exits_with_its_documented_code(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text("{}")
    args, error = CASES[command]
    result = CliRunner().invoke(main, [command, *args(tmp_path)])
    assert result.exit_code == documented()[error], result.output
    assert isinstance(result.exception, SystemExit), result.exception  # handled, not raised through
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and (lines[-1].startswith("error: ") or lines[-1].endswith("problem(s) found")), result.stderr


def test_an_unexpected_exception_keeps_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only SilolakeError is handled: anything else is a bug (exit 1, the exception kept)."""
    monkeypatch.setattr("silolake.catalog.not_built.not_built_notices", lambda _c: 1 / 0)
    result = CliRunner().invoke(main, ["validate", str(copy_example(tmp_path))])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)


def test_the_framework_has_no_exit_mapping_outside_the_model() -> None:
    """No ``sys.exit`` with a code and no class-name lookup in the command line: codes come from the errors."""
    for path in sorted((PACKAGE / "cli").rglob("*.py")) if (PACKAGE / "cli").is_dir() else [PACKAGE / "cli.py"]:
        text = path.read_text(encoding="utf-8")
        assert "sys.exit(" not in text, path
        assert "__name__]" not in text and "type(exc).__name__" not in text, path
