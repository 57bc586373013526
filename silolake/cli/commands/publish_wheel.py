"""``silolake publish-wheel``: upload the silolake wheel silo pipelines install, to tools/silolake/<commit>.whl."""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.aws import bucket_option, only_changed_option, role_option, s3_client, upload_one


@click.command("publish-wheel")
@bucket_option
@click.option(
    "--wheel",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The wheel `pip wheel --no-deps -w dist .` built (dist/silolake-<version>-py3-none-any.whl).",
)
@click.option("--commit", required=True, help="The commit the wheel and the bundles were built from.")
@click.option("--region", default=None, help="Region of the artifacts bucket (default: the environment's).")
@only_changed_option
@role_option
def publish_wheel_command(
    bucket: str, wheel: Path, commit: str, region: str | None, only_changed: bool, role_arn: str | None
) -> None:
    """Upload the silolake wheel silo pipelines install, to tools/silolake/<commit>.whl."""
    from ...release.publish import publish_wheel

    upload_one(
        lambda: publish_wheel(s3_client(role_arn, region), bucket, wheel, commit=commit, only_changed=only_changed),
        bucket,
    )


command = publish_wheel_command
