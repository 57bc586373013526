"""``silolake render``: render a synthesized stack for a runner already inside its account (exit 2 if not a stack)."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.common import out


@click.command()
@click.argument("stack_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--in-account",
    is_flag=True,
    required=True,
    help="Write the override that deploys with the runner's own credentials (no deploy role).",
)
def render(stack_dir: Path, in_account: bool) -> None:
    """Render a synthesized stack for a runner already inside its account (exit 2 if not a stack)."""
    from ...release.rendering import write_in_account

    written = write_in_account(stack_dir)
    out.print(f"{written}: provider and state backend use this runner's credentials", markup=False)


command = render
