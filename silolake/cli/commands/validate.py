"""``silolake validate``: check a catalog and report every problem as file:line:col: key.path: message."""

from __future__ import annotations

from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.checks import check_changes, notices
from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@click.option(
    "--base",
    metavar="FILE|GIT-REF",
    help="Base catalog (a file, or a git revision such as origin/main) to check removed silos and "
    "changed account ids against.",
)
def validate(path: Path, base: str | None) -> None:
    """Check a catalog and report every problem as file:line:col: key.path: message.

    With --base, every change from the base is classified (safe, guarded, impossible) and
    refused changes are problems; without it, the catalog is compared with its last synth
    in ./cdktf.out when there is one (docs/day-2.md).
    """
    catalog = load_catalog(path)
    check_changes(catalog, path, base, Path("cdktf.out"))
    notices(catalog, synth=False)
    out.print(
        f"{path}: valid ({len(catalog.silos)} silos, {sum(len(s.flows) for s in catalog.silos)} flows, "
        f"{len(catalog.analytics)} analytics consumers)"
    )


command = validate
