"""``silolake`` command line: one module per command in :mod:`silolake.cli.commands`, found by
:mod:`silolake.cli.registry`; the shared consoles, catalog argument and the one error handler in
:mod:`silolake.cli.shared.common` (exit codes: README.md, "Exit codes", :mod:`silolake.errors`).

``silolake`` (the console script), ``python -m silolake`` and ``python -m silolake.cli`` all
run :data:`main`.
"""

from .registry import main

__all__ = ["main"]
