"""``silolake verify-bundle``: check a bundle's files against its manifest (exit 2 on any mismatch)."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.common import out


@click.command("verify-bundle")
@click.argument("bundle_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stack", default=None, help="Refuse a bundle of another stack.")
@click.option("--commit", default=None, help="Refuse a bundle built from another commit.")
def verify_bundle(bundle_zip: Path, stack: str | None, commit: str | None) -> None:
    """Check a bundle's files against its manifest (exit 2 on any mismatch)."""
    from ...release.stack_bundles import verify

    manifest = verify(bundle_zip, stack=stack, commit=commit)
    out.print(f"{bundle_zip}: {manifest['stack']} at {manifest['commit']}, {len(manifest['files'])} file(s) verified")


command = verify_bundle
