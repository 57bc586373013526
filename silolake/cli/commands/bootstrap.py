"""``silolake bootstrap``: create every account's state bucket and record account/OU ids in the lock file."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@click.option("--dry-run", is_flag=True, help="Print what would change; make read-only AWS calls only.")
@click.option(
    "--lock",
    "lock_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Lock file to write (default: accounts.lock.json next to the catalog).",
)
def bootstrap(path: Path, dry_run: bool, lock_file: Path | None) -> None:
    """Create every account's state bucket and record account/OU ids in the lock file.

    Run with management-account credentials: once before the first org apply (state
    buckets; it then reports the OUs missing), and after every org apply that creates
    accounts. See docs/account-lifecycle.md.
    """
    from ...accounts.bootstrap import load_for_bootstrap, run
    from ...catalog import lock_path_for

    lock_file = lock_file or lock_path_for(path)
    catalog = load_for_bootstrap(path)
    run(catalog, lock_path=lock_file, dry_run=dry_run, echo=lambda line: out.print(line, markup=False))


command = bootstrap
