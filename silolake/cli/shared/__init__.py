"""What command modules share: :mod:`.common` (the group with the one error handler, consoles,
the catalog argument, ``emit``), :mod:`.checks` (validate's and synth's catalog checks),
:mod:`.aws` (the publishing commands' S3 client and options). Below both the registry and the
commands, so neither imports the other's package."""
