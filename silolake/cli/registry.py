"""The ``silolake`` command group and its registry: every module of :mod:`silolake.cli.commands`.

Registration hook: a command is one module in ``silolake/cli/commands/`` that defines
``command``, a :class:`click.Command` (``@click.command("name")``); :func:`register` adds every
such module's command to :data:`main`, so adding a command edits no other file (its error
path goes into ``tests/cli/test_exit_codes.py``, which fails until it does, and its recipe is in
docs/contributing.md). A module without ``command`` is refused at import, not skipped.
Modules import their heavy dependencies (the engine, boto3) inside the command function:
``silolake --help`` and ``validate`` must not pay for them.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from . import commands
from .shared.common import SilolakeGroup


@click.group(cls=SilolakeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="silolake")
def main() -> None:
    """silolake: one silos.yaml catalog -> Terraform for a multi-account AWS data lake."""


def command_modules() -> list[str]:
    """Dotted names of the command modules, sorted (``silolake.cli.commands.<name>``)."""
    return sorted(f"{commands.__name__}.{m.name}" for m in pkgutil.iter_modules(commands.__path__))


def register(group: click.Group) -> None:
    """Add the ``command`` of every module of :mod:`silolake.cli.commands` to ``group``.

    Raises :class:`TypeError` for a module without one and :class:`ValueError` for two
    commands of one name (a programming error, found by any test that imports the CLI)."""
    for name in command_modules():
        command = getattr(importlib.import_module(name), "command", None)
        if not isinstance(command, click.Command):
            raise TypeError(f"{name} defines no `command` (a click.Command): see silolake/cli/registry.py")
        if command.name in group.commands:
            raise ValueError(f"{name}: command {command.name!r} is registered twice")
        group.add_command(command)


register(main)
