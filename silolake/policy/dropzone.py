"""The dropzone's key layout, defined once: ``<partner>/<flow>/<file>``.

Every part of the framework that names a dropzone key takes it from here: the partner
boundary (:mod:`.partner`), the flow-scoped session and SFTP policies and the SFTP
home-directory mapping the runtime builds, the landing function's rules, the upload page
(through the session API's answer) and ``docs/partners.md``.

- a partner writes ``<partner>/<flow>/<file>``: ``<partner>`` is the credential's username
  (``^[a-z][a-z0-9-]{1,30}[a-z0-9]$``), ``<flow>`` a flow of the silo (``^[a-z][a-z0-9_]*$``),
  ``<file>`` one path segment;
- landing writes what it decided to ``_status/<partner>/<flow>/<file>.json``
  (:data:`STATUS_FIELDS`), readable by that partner only, and moves refused files to
  ``_quarantine/<partner>/<flow>/<file>``;
- an SFTP partner sees one folder per allowed flow, ``/<flow>``, and ``/status`` (its
  ``_status/<partner>/`` prefix).

Runtime code cannot import the framework: ``silolake/runtime/lambda/partner/partner_access/layout.py``
and ``silolake/runtime/lambda/landing/landing/rules.py`` restate these few lines, and
``tests/policy/test_dropzone_layout.py`` proves both agree with this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..aws import arns, names
from ..catalog.flow import STATUS_FOLDER
from .documents import Statement

__all__ = [
    "LAYOUT",
    "SFTP_STATUS_FOLDER",
    "STATUS_RECORD_DAYS",
    "STATUS_FIELDS",
    "flow_prefix",
    "home_directory",
    "landing_feedback_statements",
    "partner_prefix",
    "quarantine_key",
    "status_key",
    "status_prefix",
]

#: The layout as the docs and the runtime READMEs spell it.
LAYOUT = {
    "upload": "<partner>/<flow>/<file>",
    "status": f"{names.STATUS_PREFIX}<partner>/<flow>/<file>.json",
    "quarantine": f"{names.QUARANTINE_PREFIX}<partner>/<flow>/<file>",
}
#: The SFTP folder (logical directory) that shows the partner's status records.
SFTP_STATUS_FOLDER = f"/{STATUS_FOLDER}"
#: Days a status record stays readable: long enough to look a file up after a holiday, short
#: enough that records of files long gone do not pile up (the dropzone's lifecycle expires them).
STATUS_RECORD_DAYS = 90
#: Fields of a status record (JSON object), in the order ``docs/partners.md`` documents them.
STATUS_FIELDS = ("key", "partner", "flow", "file", "size", "status", "reason", "decided_at")


def partner_prefix(partner: str) -> str:
    """``<partner>/``: everything one partner may write (the permissions boundary's scope)."""
    return f"{partner}/"


def flow_prefix(partner: str, flow: str) -> str:
    """``<partner>/<flow>/``: where a file of ``flow`` goes (the session policy's scope)."""
    return f"{partner}/{flow}/"


def status_prefix(partner: str) -> str:
    """``_status/<partner>/``: the status records one partner may read."""
    return f"{names.STATUS_PREFIX}{partner}/"


def status_key(key: str) -> str:
    """``_status/<key>.json``: the status record of the dropzone object ``key``."""
    return f"{names.STATUS_PREFIX}{key}.json"


def quarantine_key(key: str) -> str:
    """``_quarantine/<key>``: where a refused object goes."""
    return f"{names.QUARANTINE_PREFIX}{key}"


def home_directory(bucket: str, partner: str, flows: Iterable[str]) -> list[dict[str, str]]:
    """Transfer Family logical directory mappings: ``/<flow>`` -> ``/<bucket>/<partner>/<flow>``
    per allowed flow, and ``/status`` -> ``/<bucket>/_status/<partner>``.

    Shape: ``HomeDirectoryDetails`` of the AWS Transfer Family User Guide, "Logical
    directories" (``[{"Entry", "Target"}]``; Transfer wants it as a JSON string).
    """
    entries = [{"Entry": f"/{flow}", "Target": f"/{bucket}/{flow_prefix(partner, flow).rstrip('/')}"} for flow in flows]
    entries.append({"Entry": SFTP_STATUS_FOLDER, "Target": f"/{bucket}/{status_prefix(partner).rstrip('/')}"})
    return entries


def landing_feedback_statements(
    *, partition: str, dropzone: str, topic_arn: str, partner_roles_arn: str | None
) -> list[Statement]:
    """What the landing function needs beyond moving files: write the status records
    (``_status/*``), publish the owners' notice to ``topic_arn`` only, and read the tags of
    the partner roles (``partner_roles_arn``, ``None`` when the silo vends no credentials):
    the flows a credential may send. ``iam:ListRoleTags`` on roles under one path reads
    tags only, and partner roles hold nothing secret in them.

    The topic is encrypted with the silo key; publishing uses it through SNS, which the
    landing role's key statement (``kms:GenerateDataKey``, ``kms:Decrypt``) covers.
    """
    statements: list[Statement] = [
        {
            "Sid": "WriteStatusRecords",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": arns.s3(partition, dropzone, f"{names.STATUS_PREFIX}*"),
        },
        {"Sid": "NotifyOwnersOfQuarantine", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
    ]
    if partner_roles_arn:
        statements.append(
            {
                "Sid": "ReadCredentialFlows",
                "Effect": "Allow",
                "Action": "iam:ListRoleTags",
                "Resource": partner_roles_arn,
            }
        )
    return statements
