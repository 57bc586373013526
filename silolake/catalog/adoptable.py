"""What a catalog switches on whose switch-off forgets resources, and taking them back.

A silo's units (its capabilities and what any channel or flow of it switches on, such as
partner access: :mod:`silolake.catalog.silo_units`), the master pipeline and an analytics
consumer's regional workspaces are each a :class:`Unit` here. Switching one off forgets its
data-, identity- and address-holding resources (``removed { destroy = false }``,
:mod:`silolake.stacks.continuity`): they stay in AWS under their names. Switching it on
again would create them anew and, for every resource whose AWS name is fixed (a namespace, a
log group, a bucket, ...), collide at apply. The silo says what to do instead, with the
unit's name (for a silo, the one enum of both keys, ``silos[].adopt`` and
``silos[].deleted_in_aws`` in the JSON schema):

- ``adopt: [<capability>]``: synth emits Terraform 1.5+ ``import`` blocks for them
  (:func:`silolake.stacks.readdress.adopted_imports`), like a flow's ``adopt: true``;
- ``deleted_in_aws: [<capability>]``: they were deleted in AWS by hand; they are created anew.

:func:`adopt_problems` refuses either for a capability that is off in the catalog (nothing
to take back). ``validate --base`` decides whether one is needed from the catalog's git
history (:mod:`silolake.catalog.changes.readoption`).

Every function here reads parsed, unvalidated YAML (a base may predate today's schema) or
the typed :class:`~silolake.catalog.model.Silo`; none imports the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..aws import delivery_names, names
from .errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .errors import Problem
from .silo_units import BY_NAME as BY_NAME
from .silo_units import CAPABILITIES as CAPABILITIES
from .silo_units import kept_server, listed
from .silo_units import schema_enum as schema_enum
from .source import SourceDoc, as_dict, as_list

#: The two silo keys taking one of :data:`CAPABILITIES` each.
KEYS = ("adopt", "deleted_in_aws")


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
    for j, flow in enumerate(as_list(silo.get("flows"))):
        if as_dict(flow).get("adopt") is True:  # a removed flow adopted back takes back what it switched on
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
    home = as_dict(as_dict(data).get("organization")).get("home_region")
    chosen = consumer.get("silos", "all")
    silos = [as_dict(s) for s in as_list(as_dict(data).get("silos"))]
    read = [s for s in silos if chosen == "all" or s.get("name") in as_list(chosen)]
    regions = {s.get("region", home) for s in read} | {consumer.get("region", home)}
    return sorted(r for r in regions if isinstance(r, str))


def _consumer_units(c: int, consumer: dict, data: Any, org: str) -> list[Unit]:
    name, account = consumer["name"], str(consumer.get("account_id"))
    decided = {
        r: (key, ("analytics", c, key, k))
        for key in KEYS
        for k, r in enumerate(as_list(consumer.get(key)))
        if isinstance(r, str)
    }

    def fixed(region: str) -> tuple[str, ...]:
        return (
            f"S3 buckets '{names.workspace_bucket(org, name, 'athena', account, region)}' and "
            f"'{names.workspace_bucket(org, name, 'logs', account, region)}'",
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
    pipeline = as_dict(as_dict(data).get("delivery")).get("pipeline")
    if not isinstance(pipeline, dict):
        return []
    decision = next(((k, ("delivery", "pipeline", k)) for k in KEYS if pipeline.get(k) is True), None)
    account, home = (as_dict(as_dict(data).get(k)) for k in ("datalake_account", "organization"))
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
    org = str(as_dict(as_dict(data).get("organization")).get("name"))
    found = _pipeline_units(data, org)
    for i, silo in enumerate(as_list(as_dict(data).get("silos"))):
        if isinstance(silo, dict) and isinstance(silo.get("name"), str):
            found += _silo_units(i, silo, org)
    for c, consumer in enumerate(as_list(as_dict(data).get("analytics"))):
        if isinstance(consumer, dict) and isinstance(consumer.get("name"), str):
            found += _consumer_units(c, consumer, data, org)
    return {u.ident: u for u in found}


def owners(data: Any) -> set[tuple[str, ...]]:
    """``("silo", name)`` and ``("analytics", name)`` of every entry of the raw ``data``."""
    return {
        (kind, e["name"])
        for kind, key in (("silo", "silos"), ("analytics", "analytics"))
        for e in as_list(as_dict(data).get(key))
        if isinstance(e, dict) and isinstance(e.get("name"), str)
    }


def adopt_problems(doc: SourceDoc) -> list[Problem]:
    """``adopt`` / ``deleted_in_aws`` naming a capability that is off in the catalog (nothing
    was forgotten that it could take back or create), or one capability under both keys."""
    problems: list[Problem] = []
    for i, silo in enumerate(as_list(as_dict(doc.data).get("silos"))):
        silo = as_dict(silo)
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
    for c, consumer in enumerate(as_list(as_dict(doc.data).get("analytics"))):
        consumer = as_dict(consumer)
        regions = workspace_regions(doc.data, consumer)
        for key in KEYS:
            for k, region in enumerate(as_list(consumer.get(key))):
                if isinstance(region, str) and region not in regions:
                    problems.append(
                        doc.problem(
                            ("analytics", c, key, k),
                            f"{key} lists {region}, but consumer '{consumer.get('name')}' has no workspace there (it "
                            f"reads no silo in {region}): there is nothing to take back or create. Remove {region}",
                        )
                    )
    return problems
