"""Which flows a partner's credential may send, read from the credential's IAM role.

A partner credential is an IAM role ``/silolake/partner/partner-<username>`` whose tag
``silolake:partner-flows`` lists its flows (space-separated; ``-`` for none), written by the
admin function when the credential is created. The role, not the object, is the source of
truth: the partner cannot change its role's tags, while object metadata is whatever the
uploading client sends. The prefix a file sits under names the partner, and the permissions
boundary lets a partner write only under its own prefix, so ``<partner>`` in the key is who
uploaded it.

Environment: ``PARTNER_ROLE_PREFIX`` (``partner-``) and ``PARTNER_FLOWS_TAG``
(``silolake:partner-flows``); without them the check is off (see README.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

#: The tag value of a credential without flows (CloudFormation refuses empty tag values).
NO_FLOWS = "-"
#: Seconds a credential's flows are reused: a credential changed or revoked meanwhile is seen
#: at most this late (a revoked one cannot upload anyway: its role is gone).
CACHE_SECONDS = 60.0
#: Partner usernames (the admin function's rule); anything else under the bucket names no credential.
USERNAME = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")


class NoCredential(LookupError):
    """No live credential of that name: revoked or expired (and swept) before its file landed."""


def role_flows(
    iam: Any, role_prefix: str, tag: str, clock: Callable[[], float] = time.monotonic
) -> Callable[[str], frozenset[str] | None]:
    """``partner -> flows`` of its role's ``tag``; ``None`` when the role has no such tag (a
    credential created before flows were named: every flow). :class:`NoCredential` when the
    role does not exist. Other AWS errors propagate (the event is retried).

    Answers are kept :data:`CACHE_SECONDS` per warm function: a burst of files from one
    partner costs one IAM call, not one each (IAM's API is rate-limited account-wide)."""
    cache: dict[str, tuple[float, frozenset[str] | None]] = {}

    def lookup(partner: str) -> frozenset[str] | None:
        hit = cache.get(partner)
        if hit is not None and clock() < hit[0]:
            return hit[1]
        flows = _read(partner)
        cache[partner] = (clock() + CACHE_SECONDS, flows)
        return flows

    def _read(partner: str) -> frozenset[str] | None:
        if not USERNAME.fullmatch(partner):
            raise NoCredential(partner)
        try:
            tags = iam.list_role_tags(RoleName=role_prefix + partner)["Tags"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
                raise NoCredential(partner) from None
            raise
        value = {t["Key"]: t["Value"] for t in tags}.get(tag)
        return None if value is None else frozenset(value.split()) - {NO_FLOWS}

    return lookup
