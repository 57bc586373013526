"""The command line as a package: one module per command, one registry, three ways to run it."""

from __future__ import annotations

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
