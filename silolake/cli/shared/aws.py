"""What the publishing commands share: an S3 client (optionally as the publisher role), AWS
refusals as :class:`~silolake.errors.AwsError` (exit 1), one upload's line, and their options."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ...errors import AwsError
from .common import out

if TYPE_CHECKING:
    from ...release.publish import Published


def s3_client(role_arn: str | None, region: str | None):
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
def aws_refusals() -> Iterator[None]:
    """An AWS refusal (boto3's exceptions) becomes an :class:`~silolake.errors.AwsError` (exit 1)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise AwsError(str(exc)) from exc


def upload_one(action: Callable[[], Published], bucket: str) -> None:
    """Run one upload (a callable returning a ``Published``) and print its line."""
    with aws_refusals():
        p = action()
    detail = f"version {p.version_id}" if p.status == "uploaded" else f"content {p.content_sha256[:16]}"
    out.print(f"  {p.name}: {p.status} {detail}  s3://{bucket}/{p.key}", markup=False)


bucket_option = click.option(
    "--bucket", required=True, help="The artifacts bucket (datalake stack output artifacts_bucket)."
)
role_option = click.option(
    "--role-arn",
    default=None,
    help="Assume this role first (the publisher: datalake stack output publisher_role_arn); "
    "default: the ambient credentials.",
)
only_changed_option = click.option(
    "--only-changed",
    is_flag=True,
    help="Skip an object whose current version already carries the same content-sha256 metadata.",
)
