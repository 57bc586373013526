"""IAM documents of a partner credential, as plain dicts (pure functions, no AWS calls).

Three layers confine a partner, each enough on its own to keep it out of everything but
``<dropzone bucket>/<username>/`` (writing) and ``_status/<username>/`` (reading) and the
silo's flow APIs; the last two also confine it to the flows its credential names:

1. the permissions boundary (one managed policy that Terraform deploys, built by
   :func:`boundary_document`): it names the prefix through the role's own
   ``silolake:partner-username`` tag, so even a wrongly rendered inline policy cannot reach
   another partner's prefix, and nothing outside the dropzone, the key through S3 and the
   flow APIs is ever allowed;
2. the role's inline policy (:func:`role_policy`), only for the channels granted;
3. a session policy per channel: :func:`session_policy` for ``POST /session`` and
   :func:`sftp_policy` for Transfer Family (S3 only, never the APIs).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from . import layout
from .config import Config
from .model import TAG_USERNAME, Credential

Statement = dict[str, Any]

#: Transfer Family refuses a session ``Policy`` longer than this (characters).
TRANSFER_POLICY_MAX = 2048
#: STS ``AssumeRole`` refuses a session ``Policy`` whose plain text is longer than this
#: (IAM User Guide, "Session policies"; the packed size may refuse a shorter one too).
STS_POLICY_MAX = 2048
#: Object-level S3 actions a partner needs to upload, including multipart uploads and the
#: retry of failed parts (``s3:PutObject`` covers Create/UploadPart/CompleteMultipartUpload).
UPLOAD_ACTIONS = ("s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject")
KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")  # Decrypt: completing a multipart upload
#: The document of a credential left with no flow on any of its channels (their flows were
#: removed from the catalog since): IAM and STS refuse a policy without statements.
NOTHING: Statement = {"Sid": "NoFlowLeft", "Effect": "Deny", "Action": "*", "Resource": "*"}
FILE_CHANNELS = frozenset({"sftp", "upload"})
API_CHANNELS = frozenset({"api"})


def document(statements: Iterable[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def render(doc: dict[str, Any]) -> str:
    """Compact, key-sorted JSON (what Transfer and STS receive)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def _bucket_arn(partition: str, bucket: str) -> str:
    return f"arn:{partition}:s3:::{bucket}"


def upload_statements(
    *, partition: str, region: str, bucket: str, key_arn: str, prefixes: Sequence[str], status: str
) -> list[Statement]:
    """Put/multipart under each of ``prefixes`` (``<partner>/`` or ``<partner>/<flow>/``), read
    landing's status records under ``status`` (``_status/<partner>/``), list exactly those
    prefixes (S3 answers 404 rather than 403 for a status not written yet), and the key only
    through S3 (:mod:`layout`).

    The key is not narrowed further by encryption context: which bucket and prefix S3 may
    use it for is already decided by the S3 statements (and with S3 Bucket Keys the context
    is the bucket, not the object), so the extra condition would add coupling, not safety.
    """
    bucket_arn = _bucket_arn(partition, bucket)
    return [
        {
            "Sid": "UploadOwnPrefix",
            "Effect": "Allow",
            "Action": list(UPLOAD_ACTIONS),
            "Resource": _one_or_list([f"{bucket_arn}/{p}*" for p in prefixes]),
        },
        {"Sid": "ReadOwnStatus", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/{status}*"},
        {
            "Sid": "ListOwnPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [*(f"{p}*" for p in prefixes), f"{status}*"]}},
        },
        {
            "Sid": "KeyThroughS3",
            "Effect": "Allow",
            "Action": list(KMS_ACTIONS),
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        },
    ]


def _one_or_list(items: list[str]) -> str | list[str]:
    """A single resource as a string (how the boundary has always spelled it), several as a list."""
    return items[0] if len(items) == 1 else items


def api_statements(api_arns: Sequence[str], flows: Sequence[str] | None = None) -> list[Statement]:
    """``execute-api:Invoke`` on the flow APIs; with ``flows``, only their routes
    (``.../POST/flows/*`` becomes ``.../POST/flows/<flow>/*`` per flow)."""
    resources = list(api_arns)
    if flows is not None:
        resources = [a[: -len("*")] + f"{f}/*" if a.endswith("/flows/*") else a for a in api_arns for f in flows]
    if not resources:  # IAM refuses a statement without resources
        return []
    return [{"Sid": "InvokeFlowApis", "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resources}]


def allowed_flows(cfg: Config, credential: Credential, channels: frozenset[str] | None = None) -> tuple[str, ...]:
    """The flows ``credential`` may send through ``channels`` (default: its own channels).

    Its named flows, kept to those that still exist with a granted source; a credential
    created before flows were named (``flows`` is ``None``) may send every flow of its channels.
    """
    through = set(credential.channels) & (channels if channels is not None else set(credential.channels))
    wanted = cfg.flows_of(frozenset(through))
    return wanted if credential.flows is None else tuple(f for f in wanted if f in credential.flows)


def _upload(cfg: Config, username: str, flows: Sequence[str]) -> list[Statement]:
    if not flows:
        return []
    return upload_statements(
        partition=cfg.partition,
        region=cfg.region,
        bucket=cfg.dropzone_bucket,
        key_arn=cfg.kms_key_arn,
        prefixes=[layout.flow_prefix(username, f) for f in flows],
        status=layout.status_prefix(username),
    )


def role_policy(cfg: Config, credential: Credential) -> dict[str, Any]:
    """Inline policy of the partner role: uploads to its file flows for sftp/upload, the routes of
    its API flows for api."""
    statements: list[Statement] = []
    if {"sftp", "upload"} & set(credential.channels):
        statements += _upload(cfg, credential.username, allowed_flows(cfg, credential, FILE_CHANNELS))
    if "api" in credential.channels:
        statements += api_statements(cfg.flow_api_arns, allowed_flows(cfg, credential, API_CHANNELS))
    return document(statements or [NOTHING])


def session_policy(cfg: Config, credential: Credential) -> dict[str, Any]:
    """Session policy for ``POST /session``: uploads to the credential's ``upload`` flows only,
    the routes of its ``api`` flows only (a credential granted ``sftp`` and ``api`` gets no S3
    rights from a web session, and an SFTP flow cannot be fed from the web page)."""
    statements: list[Statement] = []
    if "upload" in credential.channels:
        statements += _upload(cfg, credential.username, allowed_flows(cfg, credential, frozenset({"upload"})))
    if "api" in credential.channels:
        statements += api_statements(cfg.flow_api_arns, allowed_flows(cfg, credential, API_CHANNELS))
    return document(statements or [NOTHING])


def sftp_policy(cfg: Config, credential: Credential) -> dict[str, Any]:
    """Session policy Transfer Family applies to an SFTP login: uploads to its ``sftp`` flows only."""
    return document(_upload(cfg, credential.username, allowed_flows(cfg, credential, frozenset({"sftp"}))))


def oversized(cfg: Config, credential: Credential) -> str | None:
    """Which session policy of ``credential`` would be refused for its length (the more flows,
    the longer), or ``None``: checked when the credential is created, not at sign-in."""
    if "sftp" in credential.channels and len(render(sftp_policy(cfg, credential))) > TRANSFER_POLICY_MAX:
        return f"the SFTP session policy exceeds Transfer Family's {TRANSFER_POLICY_MAX} characters"
    if {"upload", "api"} & set(credential.channels) and len(render(session_policy(cfg, credential))) > STS_POLICY_MAX:
        return f"the web session policy exceeds STS's {STS_POLICY_MAX} characters"
    return None


def trust_policy(cfg: Config, channels: Sequence[str]) -> dict[str, Any]:
    """Who may assume the partner role.

    The session function's role (only when upload or api is granted), named through
    ``aws:PrincipalArn`` under the account principal so that recreating that role does not
    silently break every partner trust; it may also set ``SourceIdentity``. Transfer Family
    (only when sftp is granted), pinned to the silo's server and account (confused deputy).
    """
    statements: list[Statement] = []
    if {"upload", "api"} & set(channels):
        statements.append(
            {
                "Sid": "SessionFunction",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{cfg.partition}:iam::{cfg.account_id}:root"},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Condition": {"ArnEquals": {"aws:PrincipalArn": cfg.session_role_arn}},
            }
        )
    if "sftp" in channels:
        statements.append(
            {
                "Sid": "TransferServer",
                "Effect": "Allow",
                "Principal": {"Service": "transfer.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": cfg.account_id},
                    "ArnEquals": {"aws:SourceArn": cfg.transfer_server_arn},
                },
            }
        )
    return document(statements)


def boundary_document(
    *, partition: str, region: str, bucket: str, key_arn: str, api_arns: Sequence[str]
) -> dict[str, Any]:
    """The permissions boundary every partner role must carry (deployed by Terraform).

    It allows nothing but uploads under the prefix named by the role's own
    ``silolake:partner-username`` tag, reading that partner's status records, the silo key
    through S3, and the flow APIs. It stays partner-scoped (``<partner>/*``): the per-flow
    narrowing is the inline and session policies' (a boundary is one managed policy for
    every partner, and a tag cannot hold a list IAM could match against). IAM, STS, other
    buckets and other prefixes stay out of reach whatever the inline policy says. A role
    without the tag matches no statement and can do nothing.
    """
    own = "${aws:PrincipalTag/" + TAG_USERNAME + "}"
    statements = upload_statements(
        partition=partition,
        region=region,
        bucket=bucket,
        key_arn=key_arn,
        prefixes=[layout.partner_prefix(own)],
        status=layout.status_prefix(own),
    )
    if api_arns:
        statements += api_statements(api_arns)
    return document(statements)
