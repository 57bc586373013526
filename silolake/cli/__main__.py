"""``python -m silolake.cli``: the command line, every command registered (:mod:`silolake.cli.registry`)."""

from .registry import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="silolake")
