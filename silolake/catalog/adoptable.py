"""Silo capabilities whose resources a switch-off forgets, and taking them back.

Switching a capability off forgets its data-, identity- and address-holding resources
(``removed { destroy = false }``, :mod:`silolake.stacks.continuity`): they stay in AWS
under their names. Switching it on again would create them anew and, for every resource
whose AWS name is fixed (a namespace, a log group, a bucket, ...), collide at apply. The
silo says what to do instead, with the capability's name below (the one enum of both keys,
``silos[].adopt`` and ``silos[].deleted_in_aws`` in the JSON schema):

- ``adopt: [<capability>]``: synth emits Terraform 1.5+ ``import`` blocks for them
  (:func:`silolake.stacks.readdress.adopted_imports`), like a flow's ``adopt: true``;
- ``deleted_in_aws: [<capability>]``: they were deleted in AWS by hand; they are created anew.

:func:`adopt_problems` refuses either for a capability that is off in the catalog (nothing
to take back). ``validate --base`` decides whether one is needed from the catalog's git
history (:mod:`silolake.catalog.changes.readoption`).

Every function here reads parsed, unvalidated YAML (a base may predate today's schema)
or the typed :class:`~silolake.catalog.model.Silo`; none imports the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..aws import delivery_names, names
from ..aws import partner_access_names as pan
from ..channels import API, FILE_SOURCES
from .errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .errors import Problem
from .source import SourceDoc

#: The two silo keys taking one of :data:`CAPABILITIES` each.
KEYS = ("adopt", "deleted_in_aws")


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


Where = Callable[[dict], KeyPath | None]


def _flow_with(key: str) -> Where:
    def where(silo: dict) -> KeyPath | None:
        flows = _list(silo.get("flows"))
        return next((("flows", j, key) for j, f in enumerate(flows) if _dict(f).get(key) is True), None)

    return where


def _flow_from(*sources: str) -> Where:
    """The first flow whose ``source`` is one of ``sources`` (any flow without ``sources``)."""

    def where(silo: dict) -> KeyPath | None:
        flows = _list(silo.get("flows"))
        return next(
            (("flows", j, "source") for j, f in enumerate(flows) if not sources or _dict(f).get("source") in sources),
            None,
        )

    return where


def _switch(channel: str) -> Where:
    def where(silo: dict) -> KeyPath | None:
        block = _dict(_dict(silo.get("ingestion")).get(channel))
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
    block = _dict(_dict(silo.get("ingestion")).get("sftp"))
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
    return [(k, BY_NAME[n]) for k, n in enumerate(_list(silo.get(key))) if isinstance(n, str) and n in BY_NAME]


@dataclass(frozen=True)
class Unit:
    """One thing a raw catalog has switched on whose switch-off forgets resources: a silo
    capability, the master pipeline (``delivery.pipeline``), an analytics consumer's workspace
    in a region. ``ident`` is the same in every revision of the catalog; ``subject`` switches
    ``label`` on; ``at``: the key path turning it on; ``owner``: the ident of the entry that
    must be in the base for it to be compared (``None``: the catalog itself); ``decision``:
    ``(key, key path)`` of ``adopt`` or ``deleted_in_aws`` naming it (or of a flow's
    ``adopt: true`` taking it back), if any; ``fixed``: the forgotten resources with fixed
    AWS names; ``generated``: what is created anew (ids AWS generates; "" for nothing);
    ``how``: where to say ``adopt``/``deleted_in_aws`` for it (``{key}`` is replaced);
    ``marks``: words one of which a catalog text holds while it is on; ``retake``: on in a
    form an earlier silolake forgot part of (SFTP with ``keep_server``: the identity
    provider's log group), so ``adopt`` is accepted while it stays on."""

    ident: tuple[str, ...]
    subject: str
    label: str
    at: KeyPath
    owner: tuple[str, ...] | None
    decision: tuple[str, KeyPath] | None
    fixed: tuple[str, ...]
    generated: str
    how: str
    marks: tuple[str, ...]
    retake: bool = False


def _silo_units(i: int, silo: dict, org: str) -> list[Unit]:
    decided: dict[str, tuple[str, KeyPath]] = {
        c.name: (key, ("silos", i, key, k)) for key in KEYS for k, c in listed(silo, key)
    }
    for j, flow in enumerate(_list(silo.get("flows"))):
        if _dict(flow).get("adopt") is True:  # a removed flow adopted back takes back what it switched on
            for cap in CAPABILITIES:
                if cap.by_flow(flow):
                    decided.setdefault(cap.name, ("adopt", ("silos", i, "flows", j, "adopt")))
    name, out = silo["name"], []
    for cap in CAPABILITIES:
        at = cap.where(silo)
        if at is not None:
            out.append(
                Unit(
                    ("silo", name, cap.name),
                    f"silo '{name}'",
                    cap.label,
                    ("silos", i, *at),
                    ("silo", name),
                    decided.get(cap.name),
                    tuple(cap.fixed(org, name)),
                    cap.generated,
                    f"{{key}}: [{cap.name}] to silo '{name}'",
                    cap.marks,
                    cap.name == "sftp" and kept_server(silo),
                )
            )
    return out


def workspace_regions(data: Any, consumer: dict) -> list[str]:
    """Regions of the raw ``consumer``'s workspaces: its own (default: the home region) and
    those of the silos it reads (:func:`silolake.policy.analytics.workspace_regions`)."""
    home = _dict(_dict(data).get("organization")).get("home_region")
    chosen = consumer.get("silos", "all")
    silos = [_dict(s) for s in _list(_dict(data).get("silos"))]
    read = [s for s in silos if chosen == "all" or s.get("name") in _list(chosen)]
    regions = {s.get("region", home) for s in read} | {consumer.get("region", home)}
    return sorted(r for r in regions if isinstance(r, str))


def _consumer_units(c: int, consumer: dict, data: Any, org: str) -> list[Unit]:
    name, account = consumer["name"], str(consumer.get("account_id"))
    decided = {
        r: (key, ("analytics", c, key, k))
        for key in KEYS
        for k, r in enumerate(_list(consumer.get(key)))
        if isinstance(r, str)
    }

    def fixed(region: str) -> tuple[str, ...]:
        return (
            f"S3 buckets '{names.account_bucket(org, f'{name}-athena', account, region)}' and "
            f"'{names.account_bucket(org, f'{name}-logs', account, region)}'",
            f"KMS alias 'alias/{names.analytics_key_alias(name)}'",
            f"Athena workgroup '{names.athena_workgroup(org, name)}'",
        )

    return [
        Unit(
            ("workspace", name, region),
            f"analytics '{name}'",
            f"its workspace in {region} (a silo read there)",
            ("analytics", c, "silos"),
            ("analytics", name),
            decided.get(region),
            fixed(region),
            "the KMS key (objects written before stay encrypted under the forgotten key)",
            f"{{key}}: [{region}] to analytics consumer '{name}'",
            (region,),
        )
        for region in workspace_regions(data, consumer)
    ]


def _pipeline_units(data: Any, org: str) -> list[Unit]:
    pipeline = _dict(_dict(data).get("delivery")).get("pipeline")
    if not isinstance(pipeline, dict):
        return []
    decision = next(((k, ("delivery", "pipeline", k)) for k in KEYS if pipeline.get(k) is True), None)
    account, home = (_dict(_dict(data).get(k)) for k in ("datalake_account", "organization"))
    region = str(account.get("region", home.get("home_region")))
    return [
        Unit(
            ("pipeline",),
            "delivery.pipeline",
            "the master pipeline",
            ("delivery", "pipeline"),
            None,
            decision,
            (
                f"S3 bucket '{names.account_bucket(org, 'release', str(account.get('account_id')), region)}'",
                f"log group '{delivery_names.codebuild_log_group(delivery_names.release_name(org))}'",
            ),
            "the CodeConnections connection (a new one waits PENDING until authorized in the console)",
            "{key}: true to delivery.pipeline",
            ("pipeline",),
        )
    ]


def units(data: Any) -> dict[tuple[str, ...], Unit]:
    """Every :class:`Unit` switched on in the raw catalog ``data``, by ident."""
    org = str(_dict(_dict(data).get("organization")).get("name"))
    found = _pipeline_units(data, org)
    for i, silo in enumerate(_list(_dict(data).get("silos"))):
        if isinstance(silo, dict) and isinstance(silo.get("name"), str):
            found += _silo_units(i, silo, org)
    for c, consumer in enumerate(_list(_dict(data).get("analytics"))):
        if isinstance(consumer, dict) and isinstance(consumer.get("name"), str):
            found += _consumer_units(c, consumer, data, org)
    return {u.ident: u for u in found}


def owners(data: Any) -> set[tuple[str, ...]]:
    """``("silo", name)`` and ``("analytics", name)`` of every entry of the raw ``data``."""
    return {
        (kind, e["name"])
        for kind, key in (("silo", "silos"), ("analytics", "analytics"))
        for e in _list(_dict(data).get(key))
        if isinstance(e, dict) and isinstance(e.get("name"), str)
    }


def adopt_problems(doc: SourceDoc) -> list[Problem]:
    """``adopt`` / ``deleted_in_aws`` naming a capability that is off in the catalog (nothing
    was forgotten that it could take back or create), or one capability under both keys."""
    problems: list[Problem] = []
    for i, silo in enumerate(_list(_dict(doc.data).get("silos"))):
        silo = _dict(silo)
        adopted = {c.name for _, c in listed(silo, "adopt")}
        for key in KEYS:
            for k, cap in listed(silo, key):
                if cap.where(silo) is None:
                    problems.append(
                        doc.problem(
                            ("silos", i, key, k),
                            f"{key} lists '{cap.name}', but {cap.label} is off in this silo: there is nothing to "
                            f"take back or create. Turn it on in the same change, or remove '{cap.name}' from {key}",
                        )
                    )
                elif key == KEYS[1] and cap.name in adopted:
                    problems.append(
                        doc.problem(
                            ("silos", i, key, k),
                            f"'{cap.name}' is both adopted (import) and deleted in AWS (create): keep the one that "
                            "is true: adopt if its forgotten resources are still in AWS",
                        )
                    )
    for c, consumer in enumerate(_list(_dict(doc.data).get("analytics"))):
        consumer = _dict(consumer)
        regions = workspace_regions(doc.data, consumer)
        for key in KEYS:
            for k, region in enumerate(_list(consumer.get(key))):
                if isinstance(region, str) and region not in regions:
                    problems.append(
                        doc.problem(
                            ("analytics", c, key, k),
                            f"{key} lists {region}, but consumer '{consumer.get('name')}' has no workspace there (it "
                            f"reads no silo in {region}): there is nothing to take back or create. Remove {region}",
                        )
                    )
    return problems
