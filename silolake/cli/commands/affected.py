"""``silolake affected``: stacks whose synthesized Terraform differs from the base revision's
(content hash per stack)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.common import catalog_path, err, out


@click.command()
@catalog_path
@click.option("--base", required=True, metavar="GIT-REF", help="Revision to compare with (e.g. origin/main).")
@click.option("--json", "as_json", is_flag=True, help="Print the affected stacks as `silolake stacks --json` does.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Keep the head's synthesized candidate stacks here (CI plans from it without a second synth).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Synth cache for base and head (default: OUT/.synth-cache with --out, else none).",
)
def affected(path: Path, base: str, as_json: bool, out_dir: Path | None, cache_dir: Path | None) -> None:
    """Stacks whose synthesized Terraform differs from the base revision's (content hash per stack)."""

    from ...catalog.topology import stack_targets
    from ...review.affected import affected as compute
    from ...synth.cache import default_cache_dir

    cache_dir = cache_dir or (default_cache_dir(out_dir) if out_dir else None)
    result = compute(path, base, head_out=out_dir, cache_dir=cache_dir)
    for name in result.removed:
        err.print(f"notice: stack '{name}' exists at {base} but no longer in the catalog (not planned)", markup=False)
    if as_json:
        targets = [t.as_dict() for t in stack_targets(load_catalog(path)) if t.name in result.stacks]
        click.echo(json.dumps(targets, separators=(",", ":")))
        return
    scope = "framework code changed: every stack was a candidate" if result.framework_changed else "catalog diff"
    out.print(f"{len(result.stacks)} affected of {len(result.candidates)} candidate(s) ({scope})", markup=False)
    for name in result.stacks:
        out.print(f"  {name:<28} {result.reasons[name]}", markup=False)


command = affected
