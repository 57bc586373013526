"""``silolake validate``: check a catalog and report every problem as file:line:col: key.path: message."""

from __future__ import annotations

from pathlib import Path

import click

from ...catalog import CatalogError, load_catalog
from ..shared.checks import check_changes, notices, unvalidated_changes
from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@click.option(
    "--base",
    metavar="FILE|GIT-REF",
    help="Base catalog (a file, or a git revision such as origin/main): classify every change from it "
    "(safe, guarded, impossible: silos, accounts, flows, columns, layouts, capabilities, consumers) and "
    "refuse the unsafe ones; a capability switched on again is checked against the catalog's git history. "
    "Every kind: docs/day-2.md.",
)
@click.option(
    "--synthesized",
    is_flag=True,
    help="With --base: also synthesize the stacks the change touches, base and head, and refuse "
    "a data-, identity- or address-holding resource Terraform would destroy or replace (ForceNew).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cdktf.out") / ".synth-cache",
    show_default=True,
    help="Synth cache for --synthesized (silolake synth's default cache).",
)
def validate(path: Path, base: str | None, synthesized: bool, cache_dir: Path) -> None:
    """Check a catalog and report every problem as file:line:col: key.path: message.

    With --base, every change from the base is classified (safe, guarded, impossible) and
    refused changes are problems; without it, the catalog is compared with its last synth
    in ./cdktf.out when there is one (docs/day-2.md). With --synthesized too, the stacks
    the change touches are synthesized on both sides and compared resource by resource.
    """
    try:
        catalog = load_catalog(path)
    except CatalogError as invalid:
        raise unvalidated_changes(invalid, path, base, Path("cdktf.out")) from None
    if synthesized and not base:
        raise click.UsageError("--synthesized compares with --base: give --base FILE|GIT-REF")
    check_changes(catalog, path, base, Path("cdktf.out"), synthesized=synthesized, cache_dir=cache_dir)
    notices(catalog, synth=False)
    out.print(
        f"{path}: valid ({len(catalog.silos)} silos, {sum(len(s.flows) for s in catalog.silos)} flows, "
        f"{len(catalog.analytics)} analytics consumers)"
    )


command = validate
