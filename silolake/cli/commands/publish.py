"""``silolake publish``: upload each stack's bundle.zip to bundles/<account id>/<stack>/bundle.zip
in the artifacts bucket."""

from __future__ import annotations

from pathlib import Path

import click

from ...catalog import load_catalog
from ..shared.aws import aws_refusals, bucket_option, only_changed_option, role_option, s3_client
from ..shared.common import catalog_path, out


@click.command()
@catalog_path
@bucket_option
@click.option("--bundles", "bundles_dir", default="bundles", show_default=True, type=click.Path(path_type=Path))
@click.option(
    "--stack", "stack_names", multiple=True, help="Only these stacks (default: every bundle built for the catalog)."
)
@only_changed_option
@role_option
def publish(
    path: Path, bucket: str, bundles_dir: Path, stack_names: tuple[str, ...], only_changed: bool, role_arn: str | None
) -> None:
    """Upload each stack's bundle.zip to bundles/<account id>/<stack>/bundle.zip in the artifacts bucket.

    The account is the one the stack deploys into (as `silolake stacks` lists it), the only
    prefix that account's pipeline may read. Prints per stack: uploaded (version id) or unchanged."""
    from ...catalog.topology import stack_targets
    from ...release.publish import publish_bundles, stack_bundles_of

    catalog = load_catalog(path)

    def show(p) -> None:
        detail = f"version {p.version_id}" if p.status == "uploaded" else f"content {p.content_sha256[:16]}"
        out.print(f"  {p.name:<28} {p.status:<9} {detail}  s3://{bucket}/{p.key}", markup=False)

    with aws_refusals():
        found = stack_bundles_of(stack_targets(catalog), bundles_dir, list(stack_names) or None)
        s3 = s3_client(role_arn, catalog.datalake.region)
        done = publish_bundles(s3, bucket, found, only_changed=only_changed, on_published=show)
    uploaded = sum(p.status == "uploaded" for p in done)
    out.print(f"{uploaded} uploaded, {len(done) - uploaded} unchanged", markup=False)


command = publish
