"""``silolake portal``: run a silo's partner pages, API and a local AWS on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click

from ...catalog import load_catalog
from ...errors import UsageError
from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo whose partner flow to run.")
@click.option("--port", default=8765, show_default=True, help="Port of the pages and API on 127.0.0.1 (0: any free).")
@click.option("--aws-port", default=0, show_default=True, help="Port of the local AWS (moto) server (0: any free).")
def portal(path: Path, silo_name: str, port: int, aws_port: int) -> None:
    """Run a silo's partner pages, API and a local AWS on 127.0.0.1 until Ctrl-C."""
    catalog = load_catalog(path)
    if all(s.name != silo_name for s in catalog.silos):
        raise UsageError(f"{path}: no silo named '{silo_name}'")
    from ...dev import portal as local

    if local.missing_requirements():  # moto and Powertools come with the `portal` extra only
        raise UsageError("silolake portal needs the portal extra: pip install 'silolake[portal]'")
    try:
        with local.run(catalog, silo_name, port=port, aws_port=aws_port) as running:
            out.print(f"Partner upload page:  {running.pages_url}", markup=False)
            out.print(f"Admin page:           {running.admin_url}", markup=False)
            out.print(f"Local AWS (moto):     {running.aws_url}  (dropzone bucket {running.bucket})", markup=False)
            out.print(
                "Local only: staff sign in through a stand-in for Cognito (no password, no MFA); "
                "127.0.0.1/32 is added to the allowed CIDRs; moto does not enforce IAM. Ctrl-C stops.",
                markup=False,
            )
            sys.stdout.flush()
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                out.print("Stopping.", markup=False)
    except ValueError as exc:  # the silo cannot run locally as configured (the message says why)
        raise UsageError(str(exc)) from exc


command = portal
