"""``silolake mirror-provider``: upload the pinned hashicorp/aws provider (a zipped filesystem
mirror) for silo pipelines."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.aws import bucket_option, only_changed_option, role_option, s3_client, upload_one


@click.command("mirror-provider")
@bucket_option
@click.option(
    "--dir",
    "mirror_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory written by `terraform providers mirror -platform=linux_amd64 DIR`.",
)
@click.option("--region", default=None, help="Region of the artifacts bucket (default: the environment's).")
@only_changed_option
@role_option
def mirror_provider(
    bucket: str, mirror_dir: Path, region: str | None, only_changed: bool, role_arn: str | None
) -> None:
    """Upload the pinned hashicorp/aws provider (a zipped filesystem mirror) for silo pipelines.

    Key: providers/hashicorp/aws/<version>/linux_amd64.zip (version: silolake.aws.versions)."""
    import tempfile

    from ...release.publish import publish_mirror

    with tempfile.TemporaryDirectory() as work:
        upload_one(
            lambda: publish_mirror(
                s3_client(role_arn, region), bucket, mirror_dir, work_dir=Path(work), only_changed=only_changed
            ),
            bucket,
        )


command = mirror_provider
