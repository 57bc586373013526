"""The partner credential record and the rules its fields follow (pure, no AWS calls).

A credential lives in two places, neither of them a database:

- the CloudFormation stack ``<org>-<silo>-partner-<username>`` (the IAM role), whose
  stack tags repeat the non-secret metadata so that listing never reads a secret;
- the Secrets Manager secret ``silolake/partner/<username>`` holding the record below as
  JSON, including the password hash. Only verification reads it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Channels a credential can be granted: SFTP (Transfer Family), the web upload page
#: (S3 with temporary credentials) and the flow APIs (SigV4 with temporary credentials).
CHANNELS = ("sftp", "upload", "api")
#: Channels ``POST /session`` serves; SFTP goes through the Transfer identity provider.
SESSION_CHANNELS = frozenset({"upload", "api"})

#: 3-32 characters, lowercase letters, digits and hyphens, starting with a letter and not
#: ending with a hyphen. Tighter than every place the name goes: CloudFormation stack names
#: (letters, digits, hyphens), IAM role names (64 characters with ``partner-``), STS
#: ``SourceIdentity`` (2-64 of ``[\w+=,.@-]``), Transfer user names and S3 prefixes. Never
#: starts with ``_``, so no partner prefix collides with silolake's system prefixes.
USERNAME = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
#: At most this many CIDRs per credential: their space-separated list must fit one 256-char tag.
MAX_CIDRS = 10
TAG_VALUE_MAX = 256

SECRET_PREFIX = "silolake/partner/"
ROLE_PATH = "/silolake/partner/"
ROLE_PREFIX = "partner-"

# Stack tag keys (IAM also receives them: CloudFormation propagates stack tags to the role).
TAG_USERNAME = "silolake:partner-username"
TAG_CHANNELS = "silolake:partner-channels"
#: The flows the credential may send, space-separated; on the role too, where landing reads it.
#: Absent on credentials created before flows were named: they may send every flow of their channels.
TAG_FLOWS = "silolake:partner-flows"
#: Tag value for "no flows" (CloudFormation refuses empty tag values; never a flow name).
NO_FLOWS = "-"
TAG_CIDRS = "silolake:partner-cidrs"
TAG_EXPIRES = "silolake:partner-expires-at"
TAG_CREATED_BY = "silolake:partner-created-by"
TAG_CREATED_AT = "silolake:partner-created-at"
#: Secret tag pointing at the credential's stack (the sweeper deletes secrets whose stack is gone).
TAG_STACK_ID = "silolake:partner-stack-id"
#: Tag value for "no credential-specific CIDRs" (CloudFormation refuses empty tag values).
ANY_CIDR = "any"

_TAG_UNSAFE = re.compile(r"[^\w.:/=+\-@ ]")


def flows_from_tag(value: str | None) -> tuple[str, ...] | None:
    """The flows of a :data:`TAG_FLOWS` value; ``None`` when the tag is absent (every flow of the channels)."""
    if value is None:
        return None
    return tuple(f for f in value.split() if f != NO_FLOWS)


def valid_username(value: object) -> bool:
    return isinstance(value, str) and USERNAME.fullmatch(value) is not None


def role_name(username: str) -> str:
    """``partner-<username>``: never of the ``silolake-*-*`` shape that the role-protection
    SCP reserves for Terraform, so the CloudFormation service role may create it."""
    return ROLE_PREFIX + username


def role_arn(partition: str, account_id: str, username: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role{ROLE_PATH}{role_name(username)}"


def secret_name(username: str) -> str:
    return SECRET_PREFIX + username


def parse_network(text: str) -> Network:
    """A CIDR such as ``203.0.113.0/24``; host bits must be zero (``ValueError`` otherwise)."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError(f"{text!r} is not a CIDR")
    return ipaddress.ip_network(text.strip(), strict=True)


def isoformat(moment: datetime) -> str:
    """UTC, second precision, ``Z`` suffix: ``2026-05-01T10:15:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def tag_safe(text: str) -> str:
    """Characters IAM allows in tag values, at most 256 of them, never empty."""
    cleaned = _TAG_UNSAFE.sub("_", text)[:TAG_VALUE_MAX]
    return cleaned or "unknown"


@dataclass(frozen=True)
class Credential:
    """One partner credential. ``password_hash`` is only set when read from the secret."""

    username: str
    channels: tuple[str, ...]
    cidrs: tuple[str, ...]
    expires_at: datetime
    created_at: datetime
    created_by: str
    password_hash: str = ""
    #: Flows the credential may send (``None``: created before flows were named, so every
    #: flow of its channels; see :func:`allowed_flows`).
    flows: tuple[str, ...] | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def networks(self) -> tuple[Network, ...]:
        return tuple(parse_network(c) for c in self.cidrs)

    # ---- secret (the only place the hash lives) --------------------------------------
    def secret_json(self) -> str:
        if not self.password_hash:
            raise ValueError("a credential secret needs a password hash")
        return json.dumps(
            {
                "version": 1,
                "username": self.username,
                "password_hash": self.password_hash,
                "channels": list(self.channels),
                "cidrs": list(self.cidrs),
                "expires_at": isoformat(self.expires_at),
                "created_at": isoformat(self.created_at),
                "created_by": self.created_by,
                **({} if self.flows is None else {"flows": list(self.flows)}),
            },
            sort_keys=True,
        )

    @classmethod
    def from_secret(cls, text: str) -> Credential:
        """Parse a secret; ``ValueError`` for anything not written by :meth:`secret_json`."""
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("unknown credential secret format")
        channels, cidrs = data["channels"], data["cidrs"]
        if not (isinstance(channels, list) and all(c in CHANNELS for c in channels)):
            raise ValueError("bad channels in credential secret")
        if not (isinstance(cidrs, list) and all(isinstance(c, str) for c in cidrs)):
            raise ValueError("bad cidrs in credential secret")
        if not valid_username(data["username"]) or not isinstance(data["password_hash"], str):
            raise ValueError("bad username or hash in credential secret")
        flows = data.get("flows")
        if flows is not None and not (isinstance(flows, list) and all(isinstance(f, str) for f in flows)):
            raise ValueError("bad flows in credential secret")
        return cls(
            username=data["username"],
            channels=tuple(channels),
            cidrs=tuple(cidrs),
            expires_at=parse_time(data["expires_at"]),
            created_at=parse_time(data["created_at"]),
            created_by=str(data["created_by"]),
            password_hash=data["password_hash"],
            flows=None if flows is None else tuple(flows),
        )

    # ---- stack tags (non-secret metadata; what listing shows) --------------------------
    def tags(self) -> dict[str, str]:
        return {
            TAG_USERNAME: self.username,
            TAG_CHANNELS: " ".join(self.channels),
            TAG_CIDRS: " ".join(self.cidrs) or ANY_CIDR,
            TAG_EXPIRES: isoformat(self.expires_at),
            TAG_CREATED_AT: isoformat(self.created_at),
            TAG_CREATED_BY: tag_safe(self.created_by),
            **({} if self.flows is None else {TAG_FLOWS: " ".join(self.flows) or NO_FLOWS}),
        }

    @classmethod
    def from_tags(cls, tags: dict[str, str]) -> Credential:
        """Rebuild the public part from stack tags (``KeyError``/``ValueError`` if incomplete)."""
        cidrs = tags[TAG_CIDRS]
        return cls(
            username=tags[TAG_USERNAME],
            channels=tuple(tags[TAG_CHANNELS].split()),
            cidrs=() if cidrs == ANY_CIDR else tuple(cidrs.split()),
            expires_at=parse_time(tags[TAG_EXPIRES]),
            created_at=parse_time(tags[TAG_CREATED_AT]),
            created_by=tags[TAG_CREATED_BY],
            flows=flows_from_tag(tags.get(TAG_FLOWS)),
        )

    def public(self) -> dict[str, Any]:
        """What the admin API shows: never the hash."""
        return {
            "username": self.username,
            "channels": list(self.channels),
            "cidrs": list(self.cidrs),
            "expires_at": isoformat(self.expires_at),
            "created_at": isoformat(self.created_at),
            "created_by": self.created_by,
            "flows": None if self.flows is None else list(self.flows),
        }
