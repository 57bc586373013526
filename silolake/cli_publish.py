"""``silolake publish``, ``mirror-provider`` and ``publish-wheel``: uploads to the central artifacts bucket.

Registered on :data:`silolake.cli.main` (:data:`COMMANDS`, added at the end of :mod:`silolake.cli`).
Exit codes as every command (README.md, "Exit codes"): 2 for a bad catalog, bundle or mirror tree
(:class:`~silolake.ops.publish.PublishError`); 1 for AWS refusals (:class:`~silolake.errors.AwsError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .catalog import load_catalog
from .cli_common import catalog_path, out
from .errors import AwsError

if TYPE_CHECKING:
    from .ops.publish import Published


def _s3_client(role_arn: str | None, region: str | None):
    """boto3 S3 client with the ambient credentials, or as ``role_arn`` (the publisher) when given."""
    import boto3

    session = boto3.Session(region_name=region)
    if role_arn:
        creds = session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="silolake-publish")["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )
    return session.client("s3")


@contextmanager
def _aws_refusals() -> Iterator[None]:
    """An AWS refusal (boto3's exceptions) becomes an :class:`~silolake.errors.AwsError` (exit 1)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise AwsError(str(exc)) from exc


def _upload_one(action: Callable[[], Published], bucket: str) -> None:
    """Run one upload (a callable returning a ``Published``) and print its line."""
    with _aws_refusals():
        p = action()
    detail = f"version {p.version_id}" if p.status == "uploaded" else f"content {p.content_sha256[:16]}"
    out.print(f"  {p.name}: {p.status} {detail}  s3://{bucket}/{p.key}", markup=False)


_bucket_option = click.option(
    "--bucket", required=True, help="The artifacts bucket (datalake stack output artifacts_bucket)."
)
_role_option = click.option(
    "--role-arn",
    default=None,
    help="Assume this role first (the publisher: datalake stack output publisher_role_arn); "
    "default: the ambient credentials.",
)
_only_changed_option = click.option(
    "--only-changed",
    is_flag=True,
    help="Skip an object whose current version already carries the same content-sha256 metadata.",
)


@click.command()
@catalog_path
@_bucket_option
@click.option("--bundles", "bundles_dir", default="bundles", show_default=True, type=click.Path(path_type=Path))
@click.option(
    "--stack", "stack_names", multiple=True, help="Only these stacks (default: every bundle built for the catalog)."
)
@_only_changed_option
@_role_option
def publish(
    path: Path, bucket: str, bundles_dir: Path, stack_names: tuple[str, ...], only_changed: bool, role_arn: str | None
) -> None:
    """Upload each stack's bundle.zip to bundles/<account id>/<stack>/bundle.zip in the artifacts bucket.

    The account is the one the stack deploys into (as `silolake stacks` lists it), the only
    prefix that account's pipeline may read. Prints per stack: uploaded (version id) or unchanged."""
    from .catalog.topology import stack_targets
    from .ops.publish import publish_bundles, stack_bundles_of

    catalog = load_catalog(path)

    def show(p) -> None:
        detail = f"version {p.version_id}" if p.status == "uploaded" else f"content {p.content_sha256[:16]}"
        out.print(f"  {p.name:<28} {p.status:<9} {detail}  s3://{bucket}/{p.key}", markup=False)

    with _aws_refusals():
        found = stack_bundles_of(stack_targets(catalog), bundles_dir, list(stack_names) or None)
        s3 = _s3_client(role_arn, catalog.datalake.region)
        done = publish_bundles(s3, bucket, found, only_changed=only_changed, on_published=show)
    uploaded = sum(p.status == "uploaded" for p in done)
    out.print(f"{uploaded} uploaded, {len(done) - uploaded} unchanged", markup=False)


@click.command("mirror-provider")
@_bucket_option
@click.option(
    "--dir",
    "mirror_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory written by `terraform providers mirror -platform=linux_amd64 DIR`.",
)
@click.option("--region", default=None, help="Region of the artifacts bucket (default: the environment's).")
@_only_changed_option
@_role_option
def mirror_provider(
    bucket: str, mirror_dir: Path, region: str | None, only_changed: bool, role_arn: str | None
) -> None:
    """Upload the pinned hashicorp/aws provider (a zipped filesystem mirror) for silo pipelines.

    Key: providers/hashicorp/aws/<version>/linux_amd64.zip (version: silolake.versions)."""
    import tempfile

    from .ops.publish import publish_mirror

    with tempfile.TemporaryDirectory() as work:
        _upload_one(
            lambda: publish_mirror(
                _s3_client(role_arn, region), bucket, mirror_dir, work_dir=Path(work), only_changed=only_changed
            ),
            bucket,
        )


@click.command("publish-wheel")
@_bucket_option
@click.option(
    "--wheel",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The wheel `pip wheel --no-deps -w dist .` built (dist/silolake-<version>-py3-none-any.whl).",
)
@click.option("--commit", required=True, help="The commit the wheel and the bundles were built from.")
@click.option("--region", default=None, help="Region of the artifacts bucket (default: the environment's).")
@_only_changed_option
@_role_option
def publish_wheel_command(
    bucket: str, wheel: Path, commit: str, region: str | None, only_changed: bool, role_arn: str | None
) -> None:
    """Upload the silolake wheel silo pipelines install, to tools/silolake/<commit>.whl."""
    from .ops.publish import publish_wheel

    _upload_one(
        lambda: publish_wheel(_s3_client(role_arn, region), bucket, wheel, commit=commit, only_changed=only_changed),
        bucket,
    )


#: The commands of this module, in help order (added to :data:`silolake.cli.main`).
COMMANDS = (publish, mirror_provider, publish_wheel_command)
