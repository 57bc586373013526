"""One module per ``silolake`` command, each defining ``command`` (:mod:`silolake.cli.registry`)."""
