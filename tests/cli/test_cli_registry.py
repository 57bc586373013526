"""The command line as a package: one module per command, one registry, three ways to run it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types

import click
import pytest

from silolake.cli import main, registry
from tests.import_graph import PACKAGE, REPO

COMMANDS_DIR = PACKAGE / "cli" / "commands"


def _listed(help_text: str) -> list[str]:
    section = help_text.split("Commands:\n", 1)[1]
    return sorted(m[1] for m in re.finditer(r"^  (\S+)", section, re.M))


def test_every_command_module_registers_one_command() -> None:
    modules = sorted(p.stem for p in COMMANDS_DIR.glob("*.py") if p.name != "__init__.py")
    assert len(modules) >= 17
    assert sorted(m.rpartition(".")[2] for m in registry.command_modules()) == modules
    # the module's name is the command's, with - for _ (one look finds a command's file)
    assert sorted(c.replace("-", "_") for c in main.commands) == modules


@pytest.mark.parametrize("module", ["silolake.cli", "silolake"])
def test_python_dash_m_lists_every_command(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert _listed(result.stdout) == sorted(main.commands)


def test_the_console_script_points_at_the_group() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    [target] = re.findall(r'^silolake = "([\w.:]+)"$', text, re.M)
    module, _, attr = target.partition(":")
    assert getattr(__import__(module, fromlist=[attr]), attr) is main


def test_register_refuses_a_module_without_a_command_and_a_duplicate(monkeypatch: pytest.MonkeyPatch) -> None:
    stray = types.ModuleType("silolake.cli.commands.stray")
    monkeypatch.setitem(sys.modules, stray.__name__, stray)
    monkeypatch.setattr(registry, "command_modules", lambda: [stray.__name__])
    with pytest.raises(TypeError, match="stray defines no `command`"):
        registry.register(click.Group())
    stray.command = click.Command("validate")  # type: ignore[attr-defined]
    group = click.Group()
    group.add_command(click.Command("validate"))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(group)


#: Top-level modules ``--help`` must never import: boto3 (with botocore and s3transfer, about
#: 0.2-0.27 s of import on the reference machine, as much again as the whole ``silolake.cli``)
#: and the engine (Node.js bindings, seconds). Commands import them inside their function.
HELP_NEVER_IMPORTS = (
    "boto3",
    "botocore",
    "s3transfer",
    "cdktf",
    "cdktn",
    "cdktf_cdktf_provider_aws",
    "cdktn_provider_aws",
    "jsii",
    "constructs",
)

#: Runs ``--help`` of the group and of every command (and subcommand) in one interpreter, as a
#: user's shell would one at a time, then prints which of HELP_NEVER_IMPORTS got imported.
_HELP_SCRIPT = """
import json
import sys
{preload}
import click
from click.testing import CliRunner
from silolake.cli import main

def paths(cmd, path):
    yield path
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from paths(sub, [*path, name])

runner = CliRunner()
for path in paths(main, []):
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output, (path, result.output)
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def _imported_by_help(preload: str = "") -> list[str]:
    script = _HELP_SCRIPT.format(preload=preload, heavy=HELP_NEVER_IMPORTS)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_help_imports_neither_boto3_nor_the_engine() -> None:
    """``silolake --help`` and every ``silolake <command> --help`` stay cheap: no boto3, no engine."""
    assert _imported_by_help() == []


def test_the_help_check_sees_boto3() -> None:
    """The check fails on a command module importing boto3 at its top (simulated by importing it first)."""
    assert _imported_by_help("import boto3") == ["boto3", "botocore", "s3transfer"]
