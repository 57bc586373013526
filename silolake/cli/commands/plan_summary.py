"""``silolake plan-summary``: summarize `terraform show -json` plans as Markdown, flagging data
loss, policy growth, sharing."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.common import emit


@click.command("plan-summary")
@click.argument("plans", nargs=-1, required=True, metavar="[STACK=]PLAN.json...")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown here.")
def plan_summary(plans: tuple[str, ...], out_file: Path | None) -> None:
    """Summarize `terraform show -json` plans as Markdown, flagging data loss, policy growth, sharing.

    The stack name is STACK= when given, else the file's name (plans/silo-sales.json) or its
    directory's (stacks/silo-sales/plan.json)."""
    from ...review.plan_summary import render_markdown, summarize_files

    markdown = render_markdown(summarize_files(plans))
    emit(markdown, out_file)


command = plan_summary
