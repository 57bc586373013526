"""What every ``silolake`` command module shares: the group with the one error handler, consoles,
the catalog argument. Exit codes: :mod:`silolake.errors`
(README.md, "Exit codes")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from ...errors import SilolakeError, UsageError

if TYPE_CHECKING:  # the model loads with the catalog, not with every command's start
    from ...catalog.model import Catalog, DeployedSilo

# emoji=False: messages quote user values verbatim; ":thumbs_up:" must not become a glyph.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


class SilolakeGroup(click.Group):
    """The command group with the one error handler: a :class:`~silolake.errors.SilolakeError`
    from any command prints its :meth:`~silolake.errors.SilolakeError.report` on standard error
    (no traceback) and exits with its ``exit_code`` (README.md, "Exit codes"). Anything else
    propagates with its traceback (exit 1): that one is a bug to report."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SilolakeError as exc:
            for line in exc.report():
                err.print(line, markup=False)
            ctx.exit(exc.exit_code)


#: The catalog argument every command takes. Not ``dir_okay=False``: a directory gets the
#: same located "is a directory" message as any other unreadable catalog.
catalog_path = click.argument("path", default="silos.yaml", type=click.Path(path_type=Path))


def emit(text: str, out_file: Path | None) -> None:
    """Write a command's report (Markdown, a diagram) to ``out_file``, or to standard output."""
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def deployed_silo(catalog: Catalog, path: Path, silo_name: str, purpose: str) -> DeployedSilo:
    """The silo ``silo_name`` of ``catalog`` (read from ``path``), which must have its account id;
    :class:`~silolake.errors.UsageError` (exit 2) naming the silos there are, or what to run first.
    ``purpose`` ends the message of a silo without an account ("nothing to redrive")."""
    from ...catalog.model import DeployedSilo

    silo = next((s for s in catalog.silos if s.name == silo_name), None)
    if silo is None:
        raise UsageError(f"{path}: no silo named '{silo_name}' (silos: {', '.join(s.name for s in catalog.silos)})")
    if not isinstance(silo, DeployedSilo):
        raise UsageError(f"{path}: silo '{silo_name}' has no account id yet (run silolake bootstrap): {purpose}")
    return silo
