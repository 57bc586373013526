"""``silolake stacks``: list the stacks the catalog deploys: account, region, deploy role, wave (no synth)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for CI job matrices).")
@click.option(
    "--kind",
    type=click.Choice(["org", "datalake", "silo", "analytics"]),
    default=None,
    help="Only stacks of this kind.",
)
def stacks(path: Path, as_json: bool, kind: str | None) -> None:
    """List the stacks the catalog deploys: account, region, deploy role, wave (no synth)."""

    from ...catalog.topology import stack_targets

    catalog = load_catalog(path)
    targets = [t for t in stack_targets(catalog) if kind is None or t.kind == kind]
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in targets], separators=(",", ":")))
        return
    for t in targets:
        out.print(f"wave {t.wave}  {t.name:<28} {t.account_id}  {t.region:<14} {t.role_arn}", markup=False)


command = stacks
