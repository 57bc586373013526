"""What every ``silolake`` command module shares: exit codes, consoles, the catalog argument."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from .catalog import CatalogError

EXIT_INVALID = 2
EXIT_AWS = 1
#: Exit codes of synth failures: a stack the catalog lacks or a missing Node.js is for the user
#: to fix (2); a timeout and SIGTERM follow the conventions of timeout(1) and the shell; else 1.
_SYNTH_EXIT = {
    "StackSelectionError": EXIT_INVALID,
    "NodeMissing": EXIT_INVALID,
    "SynthTimeout": 124,
    "SynthInterrupted": 143,
}
# emoji=False: messages quote user values verbatim; ":thumbs_up:" must not become a glyph.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


def _fail(exc: CatalogError) -> None:
    for problem in exc.problems:
        err.print(str(problem), markup=False)
    err.print(f"[bold red]{len(exc.problems)} problem(s) found[/]")
    sys.exit(EXIT_INVALID)


#: The catalog argument every command takes. Not ``dir_okay=False``: a directory gets the
#: same located "is a directory" message as any other unreadable catalog.
catalog_path = click.argument("path", default="silos.yaml", type=click.Path(path_type=Path))
