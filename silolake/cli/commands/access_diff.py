"""``silolake access-diff``: who gains or loses read access to silo data, evaluated with the offline IAM engine."""

from __future__ import annotations

from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.common import catalog_path, emit, err


@click.command("access-diff")
@catalog_path
@click.option("--base", required=True, metavar="GIT-REF", help="Revision to compare with (e.g. origin/main).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown here.")
def access_diff(path: Path, base: str, out_file: Path | None) -> None:
    """Who gains or loses read access to silo data, evaluated with the offline IAM engine.

    Exit 2 when the inputs cannot support an answer (no organization ids in the lock file
    before `silolake bootstrap`); a silo a consumer reads without an account yet is named
    as not evaluated."""
    from ...review.access_diff import access_diff as compute
    from ...review.access_diff import render_markdown, require_organization, unevaluated
    from ...review.affected import comparison

    require_organization(load_catalog(path))  # before synthesizing anything
    with comparison(path, base) as cmp:
        changes = compute(cmp)
        not_evaluated = unevaluated(cmp.head)
    for line in not_evaluated:
        err.print(f"notice: {line}", markup=False)
    emit(render_markdown(changes, not_evaluated), out_file)


command = access_diff
