"""Configuration of the partner functions, read from environment variables only.

All four functions (admin, session, idp, sweeper) share one environment so the
infrastructure sets a single map; ``README.md`` beside ``handler.py`` documents every
variable. A missing or malformed variable raises :class:`ConfigError` at cold start,
naming the variable, instead of failing later on a request.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .model import CHANNELS, Network, parse_network

_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/.+$")
_TRANSFER_SERVER = re.compile(r"^arn:aws[a-z-]*:transfer:[a-z0-9-]+:(\d{12}):server/(s-[0-9a-f]{17})$")
_EXECUTE_API = re.compile(r"^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]{10}/\S+$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_FLOW = re.compile(r"^[a-z][a-z0-9_]*$")

#: STS refuses a role session shorter than 15 minutes; the design caps it at one hour.
MIN_SESSION_SECONDS = 900
MAX_SESSION_SECONDS = 3600


class ConfigError(ValueError):
    """An environment variable is missing or malformed (the message names it)."""


@dataclass(frozen=True)
class FlowInfo:
    """One flow of the silo as a partner sees it: the channel it arrives through (``source``:
    ``sftp``, ``upload`` or ``api``), its file ``format`` and expected ``columns`` (in order)."""

    name: str
    source: str
    format: str
    columns: tuple[str, ...] = ()

    def public(self) -> dict[str, object]:
        return {"name": self.name, "source": self.source, "format": self.format, "columns": list(self.columns)}


@dataclass(frozen=True)
class Config:
    organization: str
    silo: str
    region: str
    dropzone_bucket: str
    kms_key_arn: str
    permissions_boundary_arn: str
    cfn_role_arn: str
    session_role_arn: str
    lockout_table: str
    max_days: int
    channels: frozenset[str]
    transfer_server_arn: str = ""
    flow_api_arns: tuple[str, ...] = ()
    allowed_cidrs: tuple[Network, ...] = ()
    lockout_window_seconds: int = 900
    lockout_max_user_failures: int = 5
    lockout_max_ip_failures: int = 20
    session_duration_seconds: int = MAX_SESSION_SECONDS
    decommissioned: bool = False
    #: The silo's flows (``FLOWS``), in catalog order.
    flows: tuple[FlowInfo, ...] = ()

    # ---- derived names -------------------------------------------------------------
    @property
    def account_id(self) -> str:
        """The silo account, taken from the session function's role ARN."""
        match = _ARN_ACCOUNT.match(self.session_role_arn)
        assert match is not None  # checked in from_env
        return match.group(1)

    @property
    def partition(self) -> str:
        return self.session_role_arn.split(":")[1]

    @property
    def stack_prefix(self) -> str:
        """Every credential stack's name starts with this (``<org>-<silo>-partner-``)."""
        return f"{self.organization}-{self.silo}-partner-"

    @property
    def transfer_server_id(self) -> str:
        match = _TRANSFER_SERVER.match(self.transfer_server_arn)
        return match.group(2) if match else ""

    def stack_name(self, username: str) -> str:
        return self.stack_prefix + username

    def flows_of(self, channels: tuple[str, ...] | frozenset[str]) -> tuple[str, ...]:
        """Names of the flows arriving through ``channels`` (a flow's ``source`` is its channel)."""
        return tuple(f.name for f in self.flows if f.source in channels)

    def flow(self, name: str) -> FlowInfo | None:
        return next((f for f in self.flows if f.name == name), None)

    # ---- loading ---------------------------------------------------------------------
    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        read = _Env(env)
        organization, silo = (
            read.matching("ORGANIZATION", _NAME, "a lowercase slug"),
            read.matching("SILO", _NAME, "a lowercase slug"),
        )
        transfer = read.optional("TRANSFER_SERVER_ARN", _TRANSFER_SERVER, "a Transfer server ARN")
        apis = read.listed("FLOW_API_ARNS", _EXECUTE_API, "an execute-api ARN")
        channels = frozenset(read.listed("CHANNELS"))
        if not channels or not channels <= set(CHANNELS):
            raise ConfigError(f"environment variable CHANNELS must list some of {', '.join(CHANNELS)}")
        if "sftp" in channels and not transfer:
            raise ConfigError("CHANNELS offers sftp but TRANSFER_SERVER_ARN is not set")
        if "api" in channels and not apis:
            raise ConfigError("CHANNELS offers api but FLOW_API_ARNS is not set")
        decommissioned = env.get("DECOMMISSIONED", "false").strip().lower()
        if decommissioned not in {"true", "false", ""}:
            raise ConfigError(f"environment variable DECOMMISSIONED must be true or false, got {decommissioned!r}")
        region = env.get("AWS_REGION", "").strip() or env.get("AWS_DEFAULT_REGION", "").strip()
        if not region:
            raise ConfigError("environment variable AWS_REGION is required (Lambda sets it)")
        return cls(
            organization=organization,
            silo=silo,
            region=region,
            dropzone_bucket=read.required("DROPZONE_BUCKET"),
            kms_key_arn=read.required("KMS_KEY_ARN"),
            permissions_boundary_arn=read.required("PERMISSIONS_BOUNDARY_ARN"),
            cfn_role_arn=read.required("CFN_ROLE_ARN"),
            session_role_arn=read.matching("SESSION_ROLE_ARN", _ARN_ACCOUNT, "an IAM role ARN"),
            lockout_table=read.required("LOCKOUT_TABLE"),
            max_days=read.integer("MAX_DAYS", 30, 1, 365),
            channels=channels,
            transfer_server_arn=transfer,
            flow_api_arns=apis,
            allowed_cidrs=read.networks("ALLOWED_CIDRS"),
            lockout_window_seconds=read.integer("LOCKOUT_WINDOW_SECONDS", 900, 60, 86400),
            lockout_max_user_failures=read.integer("LOCKOUT_MAX_USER_FAILURES", 5, 1, 100),
            lockout_max_ip_failures=read.integer("LOCKOUT_MAX_IP_FAILURES", 20, 1, 1000),
            session_duration_seconds=read.integer(
                "SESSION_DURATION_SECONDS", MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, MAX_SESSION_SECONDS
            ),
            decommissioned=decommissioned == "true",
            flows=_flows(env.get("FLOWS", "").strip()),
        )


def _flows(text: str) -> tuple[FlowInfo, ...]:
    """``FLOWS``: ``{"<flow>": {"source": channel, "format": "csv", "columns": ["a", ...]}}``
    (empty or absent: no flows, so no credential can be given a file or API flow)."""
    if not text:
        return ()
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"environment variable FLOWS is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError("environment variable FLOWS must be a JSON object keyed by flow name")
    flows = []
    for name, spec in data.items():
        if not _FLOW.match(name) or not isinstance(spec, dict) or spec.get("source") not in CHANNELS:
            raise ConfigError(f"environment variable FLOWS: {name!r} needs a source among {', '.join(CHANNELS)}")
        columns = spec.get("columns", [])
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise ConfigError(f"environment variable FLOWS: {name!r} columns must be a list of names")
        flows.append(FlowInfo(name, spec["source"], str(spec.get("format", "")), tuple(columns)))
    return tuple(flows)


class _Env:
    """Typed reads of environment variables; every failure is a ``ConfigError`` naming the variable."""

    def __init__(self, env: Mapping[str, str]):
        self.env = env

    def _raw(self, name: str) -> str:
        return self.env.get(name, "").strip()

    def required(self, name: str) -> str:
        value = self._raw(name)
        if not value:
            raise ConfigError(f"environment variable {name} is required")
        return value

    def matching(self, name: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.required(name)
        if not pattern.match(value):
            raise ConfigError(f"environment variable {name} must be {what}, got {value!r}")
        return value

    def optional(self, name: str, pattern: re.Pattern[str], what: str) -> str:
        return self.matching(name, pattern, what) if self._raw(name) else ""

    def listed(self, name: str, pattern: re.Pattern[str] | None = None, what: str = "") -> tuple[str, ...]:
        items = tuple(item.strip() for item in self._raw(name).split(",") if item.strip())
        for item in items:
            if pattern is not None and not pattern.match(item):
                raise ConfigError(f"environment variable {name}: {item!r} is not {what}")
        return items

    def networks(self, name: str) -> tuple[Network, ...]:
        result = []
        for item in self.listed(name):
            try:
                result.append(parse_network(item))
            except ValueError:
                raise ConfigError(f"environment variable {name}: {item!r} is not a CIDR") from None
        return tuple(result)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self._raw(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"environment variable {name} must be between {low} and {high}, got {value}")
        return value


def ip_allowed(source_ip: str, *allow_lists: tuple[Network, ...]) -> bool:
    """True if ``source_ip`` parses and lies in every non-empty allow list (an empty list allows all)."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return False
    return all(not networks or any(address in net for net in networks) for networks in allow_lists)
