"""What a synth tells the person or the CI log watching it: notices first, then one report per stack.

Shared by ``silolake synth`` and ``main.py`` (the CDKTF CLI's app), so both paths print
the same notices. Progress is a live rich bar on a terminal and one plain line per
stack otherwise (CI logs, pipes), where a redrawn bar would be noise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..catalog.model import Catalog
from ..policy.sharing import notices
from .one import StackDone


def synth_notices(catalog: Catalog) -> list[str]:
    """Why some stacks or grants are absent from this synth (pending silos, missing ids, decommissions)."""
    pending = [
        f"silo '{silo.name}' has no account yet (email {silo.email}); no stack synthesized. "
        "Apply the org stack, then run `silolake bootstrap` to record its account id."
        for silo in catalog.pending_silos
    ]
    return pending + notices(catalog)


@contextmanager
def stack_progress(console: Console) -> Iterator[Callable[[StackDone], None]]:
    """Yield the ``on_stack`` callback for :func:`silolake.synth.app.synthesize` that reports on ``console``."""
    if not console.is_terminal:

        def line(done: StackDone) -> None:
            console.print(
                f"[{done.index}/{done.total}] {done.name}: {done.resources} resources in {done.seconds:.1f}s"
                + (f" (worker {done.worker})" if done.worker else "")
                + (" (cached)" if done.cached else ""),
                markup=False,
                highlight=False,
            )

        yield line
        return
    columns = (
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting the engine", total=None)

        def advance(done: StackDone) -> None:
            progress.update(task, total=done.total, completed=done.index, description=done.name)

        yield advance
