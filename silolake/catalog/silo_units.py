"""What a silo builds once while something of it switches it on: the units ``adopt`` and
``deleted_in_aws`` of a silo name (:data:`CAPABILITIES`, the enum of both keys in the JSON
schema), each with the key path turning it on in a raw silo, the fixed AWS names of what its
switch-off forgets, and the construct paths of its resources in the silo stack
(:mod:`silolake.catalog.adoptable` judges and decides with them).

Capabilities a key turns on (a warehouse, QuickSight, SFTP) and what any of several keys
turns on: partner access (any partner channel or api flow), the flow API (any api flow), the
landing function (any file flow), the quality results table (any flow). Each is forgotten
when the last of what turns it on goes, and comes back with the first, whichever it is.

Reads parsed, unvalidated YAML (a base may predate today's schema); imports no engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..aws import names
from ..aws import partner_access_names as pan
from ..channels import API, FILE_SOURCES
from .errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .source import as_dict, as_list

Where = Callable[[dict], KeyPath | None]


def _flow_with(key: str) -> Where:
    def where(silo: dict) -> KeyPath | None:
        flows = as_list(silo.get("flows"))
        return next((("flows", j, key) for j, f in enumerate(flows) if as_dict(f).get(key) is True), None)

    return where


def _flow_from(*sources: str) -> Where:
    """The first flow whose ``source`` is one of ``sources`` (any flow without ``sources``)."""

    def where(silo: dict) -> KeyPath | None:
        flows = as_list(silo.get("flows"))
        return next(
            (("flows", j, "source") for j, f in enumerate(flows) if not sources or as_dict(f).get("source") in sources),
            None,
        )

    return where


def _switch(channel: str) -> Where:
    def where(silo: dict) -> KeyPath | None:
        block = as_dict(as_dict(silo.get("ingestion")).get(channel))
        on = [k for k in ("enabled", "keep_server") if block.get(k) is True]
        return ("ingestion", channel, on[0]) if on else None

    return where


def _first(*wheres: Where) -> Where:
    def where(silo: dict) -> KeyPath | None:
        return next((at for w in wheres if (at := w(silo)) is not None), None)

    return where


#: Partner access is on with any partner channel, a kept Transfer server or an api flow
#: (:func:`silolake.constructs.partner.wanted` on raw data).
_PARTNER_ACCESS = _first(_switch("sftp"), _switch("web_upload"), _flow_from(API.name))


def kept_server(silo: dict) -> bool:
    """Whether the raw ``silo`` keeps its Transfer server while SFTP is off (``keep_server``)."""
    block = as_dict(as_dict(silo.get("ingestion")).get("sftp"))
    return block.get("keep_server") is True and block.get("enabled") is not True


def _partner_names(org: str, silo: str) -> list[str]:
    return [
        f"DynamoDB table '{pan.partner_lockout_table(org, silo)}'",
        f"Cognito domain '{pan.partner_user_pool(org, silo)}'",
        f"S3 buckets of the partner pages ('{org}-{silo}-web-...', '{org}-{silo}-cdnlogs-...')",
        f"log group '/aws/apigateway/{pan.partner_api(org, silo)}/access'",
        *(
            f"log group '{names.lambda_log_group(pan.partner_function(org, silo, k))}'"
            for k in pan.PARTNER_FUNCTION_KINDS
            if k != "idp"
        ),
    ]


@dataclass(frozen=True)
class Capability:
    """One unit of a silo ``adopt`` can name: what is built once per silo while anything of
    the catalog switches it on. ``where``: the key path (inside the raw silo entry) that turns
    it on, ``None`` while it is off; ``marks``: words one of which a catalog text must hold
    for it to be on (a cheap filter of the git history); ``scope``: construct paths inside
    the silo stack (``etl/warehouse``) whose importable resources ``adopt`` takes back, minus
    those under ``outside`` (another unit's); ``fixed``: ``(org, silo)`` -> the forgotten
    resources with AWS names synth knows (what would collide); ``generated``: what is
    created anew because AWS generates its id (cannot be known offline; "" for nothing);
    ``by_flow``: whether a raw flow switches it on (a flow's ``adopt: true`` takes it back too)."""

    name: str
    label: str
    where: Where
    marks: tuple[str, ...]
    scope: tuple[str, ...]
    fixed: Callable[[str, str], list[str]]
    generated: str
    by_flow: Callable[[dict], bool] = lambda flow: False
    outside: tuple[str, ...] = ()

    def holds(self, path: str) -> bool:
        """Whether the construct ``path`` (relative to the silo stack) is of this unit."""

        def under(prefixes: tuple[str, ...]) -> bool:
            return any(path == p or path.startswith(p + "/") for p in prefixes)

        return under(self.scope) and not under(self.outside)


_FILE_SOURCES = tuple(FILE_SOURCES)

CAPABILITIES = (
    Capability(
        "warehouse",
        "the warehouse (a flow with warehouse: true)",
        _flow_with("warehouse"),
        ("warehouse",),
        ("etl/warehouse",),
        lambda org, silo: [
            f"Redshift Serverless namespace and workgroup '{names.etl_silo_name(silo, 'warehouse')}'",
            f"log group '{names.warehouse_flow_log_group(silo)}'",
        ],
        "the VPC, its subnets, endpoint and flow log (the imported workgroup moves into them)",
    ),
    Capability(
        "quicksight",
        "the QuickSight data source (a flow with quicksight: true)",
        _flow_with("quicksight"),
        ("quicksight",),
        ("etl/quicksight",),
        lambda org, silo: [f"QuickSight data source '{names.etl_silo_name(silo, 'athena')}'"],
        "",
    ),
    Capability(
        "sftp",
        "SFTP (ingestion.sftp)",
        _switch("sftp"),
        ("sftp",),
        ("partner/sftp", "partner/functions/idp"),
        lambda org, silo: [
            f"log group '{pan.transfer_log_group(pan.partner_sftp_server(org, silo))}'",
            f"log group '{names.lambda_log_group(pan.partner_function(org, silo, 'idp'))}'",
        ],
        "the Transfer server (a new endpoint s-... and host key)",
    ),
    Capability(
        "partner_access",
        "partner access (any partner channel: ingestion.sftp, ingestion.web_upload or an api flow)",
        _PARTNER_ACCESS,
        ("sftp", "web_upload", API.name),
        ("partner",),
        _partner_names,
        "the user pool, the pages' distribution and the partner API (new ids: new URLs)",
        lambda flow: flow.get("source") == API.name,
        outside=("partner/sftp", "partner/functions/idp"),
    ),
    Capability(
        "flow_api",
        "the flow API (an api flow)",
        _flow_from(API.name),
        (API.name,),
        ("ingestion/access-logs",),
        lambda org, silo: [f"log group '{names.api_access_log_group(names.ingest_api(org, silo))}'"],
        "the REST API and its execution log group (a new id: a new URL partners post to)",
        lambda flow: flow.get("source") == API.name,
    ),
    Capability(
        "landing",
        "the landing function (a file flow: source sftp or upload)",
        _flow_from(*_FILE_SOURCES),
        _FILE_SOURCES,
        ("etl/landing",),
        lambda org, silo: [f"log group '{names.lambda_log_group(names.etl_silo_name(silo, 'landing'))}'"],
        "",
        lambda flow: flow.get("source") in _FILE_SOURCES,
    ),
    Capability(
        "quality",
        f"the quality results table {names.QUALITY_TABLE} (any flow)",
        _flow_from(),
        ("flows",),
        ("glue/quality-results",),
        lambda org, silo: [f"Glue table '{names.glue_database(silo)}.{names.QUALITY_TABLE}'"],
        "",
        lambda flow: True,
    ),
)

#: Capability by name: the enum of ``adopt`` and ``deleted_in_aws`` (schema order).
BY_NAME = {c.name: c for c in CAPABILITIES}


def schema_enum() -> list[str]:
    """The enum of ``silos[].adopt`` / ``silos[].deleted_in_aws`` items in the JSON schema."""
    return list(BY_NAME)


def listed(silo: dict, key: str) -> list[tuple[int, Capability]]:
    """``(position, capability)`` of the known names listed under ``silo[key]``."""
    return [(k, BY_NAME[n]) for k, n in enumerate(as_list(silo.get(key))) if isinstance(n, str) and n in BY_NAME]
