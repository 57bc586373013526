"""``silolake bundle``: package each synthesized stack as DEST/<stack>/bundle.zip (reproducible, with a manifest)."""

from __future__ import annotations

from pathlib import Path

import click

from ...errors import UsageError
from ..shared.common import out


@click.command()
@click.option("--out", "out_dir", default="cdktf.out", show_default=True, type=click.Path(path_type=Path))
@click.option("--dest", default="bundles", show_default=True, type=click.Path(path_type=Path))
@click.option("--commit", required=True, help="Source commit recorded in each manifest.")
@click.option("--stack", "stack_names", multiple=True, help="Only these stacks (default: every synthesized stack).")
@click.option(
    "--sequence",
    type=click.IntRange(min=0),
    default=None,
    help="Order of the commit (its committer time, epoch seconds): silo pipelines refuse an older one.",
)
def bundle(out_dir: Path, dest: Path, commit: str, stack_names: tuple[str, ...], sequence: int | None) -> None:
    """Package each synthesized stack as DEST/<stack>/bundle.zip (reproducible, with a manifest)."""
    from ...release.stack_bundles import build_all

    try:
        built = build_all(out_dir, dest, commit=commit, stacks=list(stack_names) or None, sequence=sequence)
    except FileNotFoundError as exc:  # no synthesized stacks in OUT_DIR: the user's to fix
        raise UsageError(str(exc)) from exc
    for b in built:
        out.print(f"  {b.stack:<28} {b.content_sha256[:16]}  {b.path}", markup=False)


command = bundle
