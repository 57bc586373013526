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

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from ..aws import names
from ..channels import API
from .errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .errors import Problem
from .model import Silo
from .source import SourceDoc

#: The two silo keys taking one of :data:`CAPABILITIES` each.
KEYS = ("adopt", "deleted_in_aws")


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _flow_with(key: str) -> Callable[[dict], KeyPath | None]:
    def where(silo: dict) -> KeyPath | None:
        flows = _list(silo.get("flows"))
        return next((("flows", j, key) for j, f in enumerate(flows) if _dict(f).get(key) is True), None)

    return where


def _switch(channel: str) -> Callable[[dict], KeyPath | None]:
    def where(silo: dict) -> KeyPath | None:
        block = _dict(_dict(silo.get("ingestion")).get(channel))
        on = [k for k in ("enabled", "keep_server") if block.get(k) is True]
        return ("ingestion", channel, on[0]) if on else None

    return where


def partner_access(silo: dict) -> bool:
    """Whether the raw ``silo`` has partner access (a switched channel, a kept Transfer
    server, or an api flow: :func:`silolake.constructs.partner.wanted` on raw data)."""
    flows = _list(silo.get("flows"))
    return any(_switch(c)(silo) for c in ("sftp", "web_upload")) or any(
        _dict(f).get("source") == API.name for f in flows
    )


def _partner_names(org: str, silo: str) -> list[str]:
    return [
        f"DynamoDB table '{names.partner_lockout_table(org, silo)}'",
        f"Cognito domain '{names.partner_user_pool(org, silo)}'",
        f"S3 buckets of the partner pages ('{org}-{silo}-web-...', '{org}-{silo}-cdnlogs-...')",
        f"log group '/aws/apigateway/{names.partner_api(org, silo)}/access'",
        *(
            f"log group '{names.lambda_log_group(names.partner_function(org, silo, k))}'"
            for k in names.PARTNER_FUNCTION_KINDS
            if k != "idp"
        ),
    ]


_PARTNER_NEW = "partner access's user pool, pages' distribution and APIs (new ids: new URLs)"


@dataclass(frozen=True)
class Capability:
    """One capability ``adopt`` can name. ``where``: the key path (inside the silo entry)
    that turns it on in a raw silo, ``None`` while it is off; ``switch_off``: the typed silo
    without it (what the stack was before it came back, for the import blocks);
    ``fixed``: the forgotten resources with AWS names synth knows, as ``(org, silo, raw
    base silo)`` -> descriptions (what would collide); ``generated``: what is created anew
    because AWS generates its id (cannot be known offline)."""

    name: str
    label: str
    where: Callable[[dict], KeyPath | None]
    switch_off: Callable[[Silo], Silo]
    fixed: Callable[[str, str, dict], list[str]]
    generated: str


def _no_warehouse(silo: Silo) -> Silo:
    return dataclasses.replace(silo, flows=tuple(dataclasses.replace(f, warehouse=False) for f in silo.flows))


def _no_quicksight(silo: Silo) -> Silo:
    return dataclasses.replace(silo, flows=tuple(dataclasses.replace(f, quicksight=False) for f in silo.flows))


def _no_sftp(silo: Silo) -> Silo:
    ingestion = dataclasses.replace(silo.ingestion, sftp_enabled=False, sftp_server_kept=False)
    return dataclasses.replace(silo, ingestion=ingestion)


def _no_web_upload(silo: Silo) -> Silo:
    return dataclasses.replace(silo, ingestion=dataclasses.replace(silo.ingestion, web_upload_enabled=False))


CAPABILITIES = (
    Capability(
        "warehouse",
        "the warehouse (a flow with warehouse: true)",
        _flow_with("warehouse"),
        _no_warehouse,
        lambda org, silo, base: [
            f"Redshift Serverless namespace and workgroup '{names.etl_silo_name(silo, 'warehouse')}'",
            f"log group '{names.warehouse_flow_log_group(silo)}'",
        ],
        "the VPC, its subnets, endpoint and flow log (the imported workgroup moves into them)",
    ),
    Capability(
        "quicksight",
        "the QuickSight data source (a flow with quicksight: true)",
        _flow_with("quicksight"),
        _no_quicksight,
        lambda org, silo, base: [f"QuickSight data source '{names.etl_silo_name(silo, 'athena')}'"],
        "nothing",
    ),
    Capability(
        "sftp",
        "SFTP (ingestion.sftp)",
        _switch("sftp"),
        _no_sftp,
        lambda org, silo, base: [
            f"log group '{names.transfer_log_group(names.partner_sftp_server(org, silo))}'",
            f"log group '{names.lambda_log_group(names.partner_function(org, silo, 'idp'))}'",
            *([] if partner_access(base) else _partner_names(org, silo)),
        ],
        f"the Transfer server (a new endpoint s-... and host key), {_PARTNER_NEW} when partner access comes back too",
    ),
    Capability(
        "web_upload",
        "the upload page (ingestion.web_upload)",
        _switch("web_upload"),
        _no_web_upload,
        lambda org, silo, base: [] if partner_access(base) else _partner_names(org, silo),
        _PARTNER_NEW,
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


S = TypeVar("S", bound=Silo)


def without(silo: S, capabilities: tuple[str, ...]) -> S:
    """``silo`` with each of ``capabilities`` (names of :data:`CAPABILITIES`) switched off."""
    out: Silo = silo
    for name in capabilities:
        out = BY_NAME[name].switch_off(out)
    return cast(S, out)  # dataclasses.replace keeps the class (a DeployedSilo stays one)


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
                elif key == "deleted_in_aws" and cap.name in adopted:
                    problems.append(
                        doc.problem(
                            ("silos", i, key, k),
                            f"'{cap.name}' is both adopted (import) and deleted in AWS (create): keep the one that "
                            "is true: adopt if its forgotten resources are still in AWS",
                        )
                    )
    return problems
