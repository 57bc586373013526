"""``silolake diagram``: draw the organization, OUs, accounts, silos, flows, channels and who may read what."""

from __future__ import annotations

from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.common import catalog_path


@click.command()
@catalog_path
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg"]), default="mermaid", show_default=True)
@click.option("--highlight", default="", metavar="STACK,...", help="Outline these stacks (e.g. the affected ones).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the diagram here.")
def diagram(path: Path, fmt: str, highlight: str, out_file: Path | None) -> None:
    """Draw the organization, OUs, accounts, silos, flows, channels and who may read what."""
    from ...review.diagram import build, to_mermaid, to_svg

    catalog = load_catalog(path)
    graph = build(catalog, [h for h in highlight.split(",") if h])
    text = to_svg(graph) if fmt == "svg" else "```mermaid\n" + to_mermaid(graph) + "```\n"
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


command = diagram
