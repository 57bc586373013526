"""``silolake synth``: validate the catalog and synthesize one Terraform stack per account."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.checks import check_changes, notices
from ..shared.common import catalog_path, err, out


@click.command()
@catalog_path
@click.option(
    "--out",
    "out_dir",
    default="cdktf.out",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Directory the Terraform JSON is written to (replaced atomically).",
)
@click.option(
    "--stack",
    "stack_patterns",
    multiple=True,
    metavar="NAME",
    help="Only this stack (repeatable; globs such as 'silo-*'). Other stacks' output is left as it was.",
)
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes; each starts the engine once and builds its share of the stacks.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Give up after this many seconds.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Synth cache: stacks whose inputs are unchanged are copied from here (default: OUT/.synth-cache).",
)
@click.option("--no-cache", is_flag=True, help="Synthesize every selected stack; neither read nor write the cache.")
def synth(
    path: Path,
    out_dir: Path,
    stack_patterns: tuple[str, ...],
    jobs: int,
    timeout: float | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Validate the catalog and synthesize one Terraform stack per account."""
    catalog = load_catalog(path)
    check_changes(catalog, path, None, out_dir)
    notices(catalog, synth=True)
    from ...synth.app import synthesize  # the engine itself is imported where stacks are built
    from ...synth.cache import SynthCache, default_cache_dir
    from ...synth.feedback import stack_progress, synth_notices

    cache = None if no_cache else SynthCache(cache_dir or default_cache_dir(out_dir))

    started = time.perf_counter()
    for notice in synth_notices(catalog):
        err.print(f"notice: {notice}", markup=False)
    with stack_progress(err) as on_stack:
        summaries = synthesize(
            catalog,
            out_dir,
            stacks=stack_patterns or None,
            jobs=jobs,
            timeout=timeout,
            on_stack=on_stack,
            cache=cache,
        )
    from ...catalog.changes import write_manifest

    write_manifest(out_dir, catalog)
    for s in summaries:
        out.print(f"  {s.name:<28} {s.resources:>4} resources  {s.path.parent}", markup=False)
    cached = f" ({cache.hits} from the cache in {cache.root})" if cache and cache.hits else ""
    out.print(
        f"Synthesized {len(summaries)} stacks into {out_dir.resolve()} in {time.perf_counter() - started:.1f}s"
        + cached,
        markup=False,
    )


command = synth
