"""Classify every change between two catalogs: safe, guarded or impossible.

``silolake validate --base`` (and, without ``--base``, validate and synth against the last
synthesized catalog in ``cdktf.out``) compare two *snapshots*: the facts of a catalog that
decide what Terraform does to existing resources (accounts, regions, flows and the names
AWS knows them by, who reads what). Each difference becomes a :class:`Change`:

- ``safe``: applied in place, or it only adds; nothing holding data is destroyed.
- ``guarded``: it would take data-holding resources out of Terraform; accepted only when
  the catalog says so explicitly (``decommission: true`` before a silo leaves,
  ``removed_flows`` for a flow, ``renamed_from`` for a rename), refused otherwise.
- ``impossible``: AWS or the state layout cannot do it in place (a silo's account or
  region, the organization's name or state buckets); refused with what to do instead.

Every kind is listed, with the test proving it, in docs/day-2.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .errors import Problem
from .model import Catalog
from .source import SourceDoc

Verdict = Literal["safe", "guarded", "impossible"]

#: A snapshot is plain JSON data (written to ``cdktf.out`` by synth, read back later).
Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "flow renamed"; the rows of docs/day-2.md
    subject: str  # e.g. "silo 'shop' flow 'orders'"
    verdict: Verdict
    effect: str  # what it does to resources and data
    refused: str | None = None  # why it is refused and what to do instead (None: accepted)
    where: KeyPath = ()  # key path in the new catalog the problem is located at

    def line(self) -> str:
        return f"{self.verdict}: {self.kind}: {self.subject}: {self.effect}"


def snapshot(catalog: Catalog) -> Snapshot:
    """The facts of a validated catalog the classification compares."""
    org = catalog.organization
    return {
        "organization": {
            "name": org.name,
            "management_account_id": org.management_account_id,
            "home_region": org.home_region,
            "state_bucket_prefix": org.state_bucket_prefix,
        },
        "datalake": {"account_id": catalog.datalake.account_id, "region": catalog.datalake.region},
        "silos": {
            s.name: {
                "account_id": s.account_id,
                "region": s.region,
                "decommission": s.decommission,
                "flows": {f.name: {"source": f.source, "storage": f.storage_name} for f in s.flows},
                "removed_flows": list(s.removed_flows),
            }
            for s in catalog.silos
        },
        "analytics": {
            c.name: {
                "account_id": c.account_id,
                "region": c.region,
                "silos": "all" if c.all_silos else sorted(c.silos),
            }
            for c in catalog.analytics
        },
    }


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list:
    return value if isinstance(value, list) else []


def raw_snapshot(data: Any, lock_accounts: dict[str, str]) -> Snapshot:
    """Snapshot of a parsed but unvalidated catalog (a base may predate today's schema):
    what cannot be read is left out rather than guessed."""
    data = _d(data)
    org = _d(data.get("organization"))
    home = org.get("home_region")
    silos: dict[str, Any] = {}
    for s in _l(data.get("silos")):
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or s["name"] in silos:
            continue
        flows = {}
        for f in _l(s.get("flows")):
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                flows[f["name"]] = {"source": f.get("source"), "storage": f.get("renamed_from") or f["name"]}
        silos[s["name"]] = {
            "account_id": s.get("account_id") or lock_accounts.get(s["name"]),
            "region": s.get("region", home),
            "decommission": s.get("decommission") is True,
            "flows": flows,
            "removed_flows": [n for n in _l(s.get("removed_flows")) if isinstance(n, str)],
        }
    analytics = {}
    for c in _l(data.get("analytics")):
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            chosen = c.get("silos", "all")
            analytics[c["name"]] = {
                "account_id": c.get("account_id"),
                "region": c.get("region", home),
                "silos": chosen if chosen == "all" else sorted(x for x in _l(chosen) if isinstance(x, str)),
            }
    dl = _d(data.get("datalake_account"))
    return {
        "organization": {
            k: org.get(k) for k in ("name", "management_account_id", "home_region", "state_bucket_prefix")
        },
        "datalake": {"account_id": dl.get("account_id"), "region": dl.get("region", home)},
        "silos": silos,
        "analytics": analytics,
    }


def _index(doc: SourceDoc) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[str, int]]:
    """Positions of silos, flows and consumers in the new catalog (to locate problems)."""
    data = _d(doc.data)
    silos: dict[str, int] = {}
    flows: dict[tuple[str, str], int] = {}
    for i, s in enumerate(_l(data.get("silos"))):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            silos.setdefault(s["name"], i)
            for j, f in enumerate(_l(s.get("flows"))):
                if isinstance(f, dict) and isinstance(f.get("name"), str):
                    flows.setdefault((s["name"], f["name"]), j)
    consumers = {
        c["name"]: i
        for i, c in enumerate(_l(data.get("analytics")))
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    }
    return silos, flows, consumers


_MOVE_ACCOUNT = (
    "a silo's data and state stay in its account. "
    "Keep the account id; to move, decommission this silo and add a new one"
)


def classify(base: Snapshot, new: Snapshot, doc: SourceDoc, base_name: str) -> list[Change]:
    """Every change from ``base`` to ``new``; ``doc`` is the new catalog's source (for the
    key paths problems are located at), ``base_name`` names the base in messages."""
    silo_at, flow_at, consumer_at = _index(doc)
    changes = _central_changes(base, new, base_name)
    for name, old in base["silos"].items():
        changes += _silo_changes(name, old, new, doc, silo_at, flow_at, base_name)
    for name in sorted(new["silos"].keys() - base["silos"].keys()):
        changes.append(
            Change("silo added", f"silo '{name}'", "safe", "new stack; run `silolake bootstrap` before its first plan")
        )
    for name, old in base["analytics"].items():
        changes += _consumer_changes(name, old, new["analytics"].get(name), consumer_at, base_name)
    for name in sorted(new["analytics"].keys() - base["analytics"].keys()):
        changes.append(Change("analytics consumer added", f"analytics '{name}'", "safe", "new stack"))
    return changes


def _central_changes(base: Snapshot, new: Snapshot, base_name: str) -> list[Change]:
    changes: list[Change] = []
    add = changes.append
    for key in ("name", "management_account_id", "home_region", "state_bucket_prefix"):
        before, after = base["organization"].get(key), new["organization"].get(key)
        if before is not None and before != after:
            add(
                Change(
                    f"organization.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "every stack's names or state location derive from it",
                    f"organization.{key} changed from {before!r} (base {base_name}) to {after!r}: resource names, "
                    "accounts or state buckets derive from it, so Terraform would start over beside the existing lake. "
                    "Keep it; a different organization is a different catalog (silolake init)",
                    ("organization", key),
                )
            )
    for key in ("account_id", "region"):
        before, after = base["datalake"].get(key), new["datalake"].get(key)
        if before is not None and before != after:
            add(
                Change(
                    f"datalake_account.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "the artifacts bucket and its state live there",
                    f"datalake_account.{key} changed from {before} (base {base_name}) to {after}: the artifacts "
                    "bucket and the datalake state stay where they are. Keep it",
                    ("datalake_account", key),
                )
            )
    return changes


def _silo_changes(
    name: str,
    old: dict,
    new: Snapshot,
    doc: SourceDoc,
    silo_at: dict[str, int],
    flow_at: dict[tuple[str, str], int],
    base_name: str,
) -> list[Change]:
    changes: list[Change] = []
    add = changes.append
    subject = f"silo '{name}'"
    now = new["silos"].get(name)
    if now is None:
        if old["decommission"]:
            add(
                Change(
                    "decommissioned silo removed",
                    subject,
                    "guarded",
                    "its stack is no longer synthesized or planned; account, data and state stay",
                )
            )
        elif old.get("account_id"):
            add(
                Change(
                    "silo removed",
                    subject,
                    "guarded",
                    "would tear down everything its stack manages",
                    f"silo '{name}' was removed, but it is not decommissioned in the base ({base_name}); "
                    "removing it now would destroy what its stack manages. Restore it, set decommission: true on "
                    f"silo '{name}' and deploy that first; remove it in a later change",
                    ("silos",),
                )
            )
        else:
            add(
                Change(
                    "silo removed",
                    subject,
                    "guarded",
                    "would take its account out of the organization if the org stack created it",
                    f"silo '{name}' was removed, but it is not decommissioned in the base ({base_name}) and no "
                    f"account id is recorded for it: the org stack creates its account at the next apply after the "
                    "base (or already did, before bootstrap recorded the id), and removing the silo then takes that "
                    f"account out of the organization. Restore it; if its account exists (run silolake bootstrap "
                    f"to record it), set decommission: true on silo '{name}', deploy, and remove it in a later "
                    "change. Decommissioning keeps the account, so it cannot undo an unwanted one: give a silo an "
                    "existing account with account_id instead of email when no new account is wanted",
                    ("silos",),
                )
            )
        return changes
    i = silo_at.get(name, 0)
    before, after = old.get("account_id"), now.get("account_id")
    if before and after != before:
        became = f"account {after}" if after else "an account the organization has yet to create"
        key = "account_id" if after else "name"
        add(
            Change(
                "silo account changed",
                subject,
                "impossible",
                "data and state stay in the old account",
                f"silo '{name}' moved from account {before} (base {base_name}) to {became}; {_MOVE_ACCOUNT}",
                ("silos", i, key),
            )
        )
    if old.get("region") and now["region"] != old["region"]:
        add(
            Change(
                "silo region changed",
                subject,
                "impossible",
                "the stack's state bucket and every regional resource are in the old region",
                f"silo '{name}' moved from region {old['region']} (base {base_name}) to {now['region']}; its state "
                "bucket, buckets, key and streams stay in the old region and Terraform would start over with an "
                "empty state. Keep the region; to move, decommission this silo and add a new one (another name) "
                "in the new region, then copy the data",
                ("silos", i, "region" if "region" in _d(_l(_d(doc.data).get("silos"))[i]) else "name"),
            )
        )
    if old["decommission"] != now["decommission"]:
        add(
            Change(
                "silo decommissioned" if now["decommission"] else "silo recommissioned",
                subject,
                "safe",
                "sharing revoked and intake refused; nothing destroyed"
                if now["decommission"]
                else "sharing and intake restored",
            )
        )
    changes += _flow_changes(name, i, old, now, flow_at, base_name)
    return changes


def _consumer_changes(
    name: str, old: dict, now: dict | None, consumer_at: dict[str, int], base_name: str
) -> list[Change]:
    subject = f"analytics '{name}'"
    if now is None:
        return [
            Change(
                "analytics consumer removed",
                subject,
                "guarded",
                "its stack is no longer synthesized or planned; its workspaces, data and state stay",
            )
        ]
    changes = []
    for key in ("account_id", "region"):
        if old.get(key) and now[key] != old[key]:
            changes.append(
                Change(
                    f"analytics {key.replace('_id', '')} changed",
                    subject,
                    "impossible",
                    "its workspaces and state stay where they are",
                    f"analytics consumer '{name}' changed {key} from {old[key]} (base {base_name}) to {now[key]}; "
                    "its workspaces and state stay there. Keep it; for another account or region add a consumer "
                    "under a new name and remove this one",
                    ("analytics", consumer_at.get(name, 0), key),
                )
            )
    if old["silos"] != now["silos"]:
        changes.append(
            Change(
                "analytics silos changed",
                subject,
                "safe",
                "sharing updated; a regional workspace no longer needed is forgotten (removed, destroy = false), "
                "its key and buckets stay",
            )
        )
    return changes


def _flow_changes(
    silo: str, i: int, old: dict, now: dict, flow_at: dict[tuple[str, str], int], base_name: str
) -> list[Change]:
    out: list[Change] = []
    for name, flow in old["flows"].items():
        subject = f"silo '{silo}' flow '{name}'"
        cur = now["flows"].get(name)
        if cur is None:
            target = next((n for n, f in now["flows"].items() if f["storage"] == flow["storage"]), None)
            if target is not None:
                out.append(
                    Change(
                        "flow renamed",
                        f"{subject} -> '{target}'",
                        "guarded",
                        f"addresses moved (moved blocks); AWS names, S3 prefix and API path stay '{flow['storage']}'",
                    )
                )
            elif name in now["removed_flows"]:
                out.append(
                    Change(
                        "flow removed",
                        subject,
                        "guarded",
                        "tables, stream and log groups forgotten (removed, destroy = false); "
                        "they and the data stay in AWS",
                    )
                )
            else:
                out.append(
                    Change(
                        "flow removed",
                        subject,
                        "guarded",
                        "would destroy its Glue tables, Firehose stream and log groups",
                        f"flow '{name}' of silo '{silo}' was removed (base {base_name}); "
                        "that would destroy its tables, "
                        f"stream and log groups. List it under removed_flows of silo '{silo}' to keep them in AWS "
                        f"(Terraform forgets them), or, for a rename, add renamed_from: {name} to the new flow",
                        ("silos", i, "flows"),
                    )
                )
            continue
        j = flow_at.get((silo, name), 0)
        if cur["storage"] != flow["storage"]:
            out.append(
                Change(
                    "flow AWS name changed",
                    subject,
                    "impossible",
                    f"AWS names would change from '{flow['storage']}' to '{cur['storage']}' (recreated)",
                    f"flow '{name}' of silo '{silo}' is known to AWS as '{flow['storage']}' (base {base_name}); "
                    "changing "
                    "or dropping renamed_from would recreate its stream, tables and log group under another name. "
                    f"Keep renamed_from: {flow['storage']}",
                    ("silos", i, "flows", j, "renamed_from" if cur["storage"] != name else "name"),
                )
            )
        if flow.get("source") == "api" and cur.get("source") != "api":
            out.append(
                Change(
                    "flow source changed from api",
                    subject,
                    "guarded",
                    "would destroy its Firehose stream and log group",
                    f"flow '{name}' of silo '{silo}' changes source from api to {cur.get('source')}: "
                    "its Firehose stream "
                    f"and log group would be destroyed. Add a new flow for the {cur.get('source')} data and list "
                    f"'{name}' under removed_flows",
                    ("silos", i, "flows", j, "source"),
                )
            )
    known = {f["storage"] for f in old["flows"].values()}
    for name in sorted(now["flows"].keys() - old["flows"].keys()):
        if now["flows"][name]["storage"] not in known:
            out.append(Change("flow added", f"silo '{silo}' flow '{name}'", "safe", "new tables (and stream)"))
    return out


def problems_of(changes: list[Change], doc: SourceDoc) -> list[Problem]:
    """The located problems of the refused changes."""
    return [doc.problem(c.where, c.refused, at_key=c.where == ("silos",)) for c in changes if c.refused]


#: File in the synth output directory recording the snapshot of the catalog synthesized.
MANIFEST = "silolake-catalog.json"


def write_manifest(out_dir: Path, catalog: Catalog) -> None:
    body = {"source": str(catalog.source.resolve()), "snapshot": snapshot(catalog)}
    (Path(out_dir) / MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def last_synth(out_dir: Path, catalog: Catalog) -> Snapshot | None:
    """The snapshot of the last synth of *this* catalog file into ``out_dir``, if any (the
    output of another catalog, or an unreadable manifest, is not compared against)."""
    try:
        body = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("source") != str(catalog.source.resolve()):
        return None
    snap = body.get("snapshot")
    return (
        snap if isinstance(snap, dict) and {"organization", "datalake", "silos", "analytics"} <= snap.keys() else None
    )


def lock_changes(catalog: Catalog, lock_accounts: dict[str, str], doc: SourceDoc, lock_name: str) -> list[Change]:
    """Silos whose account the organization created (recorded in the lock) but whose entry
    now names another account: the same refusal as an account change against a base."""
    silo_at, _, _ = _index(doc)
    changes = []
    for silo in catalog.silos:
        recorded = lock_accounts.get(silo.name)
        if recorded and silo.account_id and silo.account_id != recorded:
            changes.append(
                Change(
                    "silo account changed",
                    f"silo '{silo.name}'",
                    "impossible",
                    "data and state stay in the old account",
                    f"silo '{silo.name}' moved from account {recorded} (created by the organization, {lock_name}) "
                    f"to account {silo.account_id}; {_MOVE_ACCOUNT}",
                    ("silos", silo_at.get(silo.name, 0), "account_id"),
                )
            )
    return changes
