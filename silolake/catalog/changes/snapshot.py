"""Snapshots: the facts of a catalog the classification compares (plain JSON data)."""

from __future__ import annotations

from typing import Any

from ..model import Catalog
from ..source import SourceDoc
from .base import Snapshot, as_dict, as_list

#: ``organization.deploy_role_name`` when a catalog leaves it out (the schema's default).
DEFAULT_DEPLOY_ROLE = "OrganizationAccountAccessRole"


def sftp_state(enabled: Any, keep_server: Any) -> str:
    """``on``, ``kept`` (off, its Transfer server kept: ``sftp.keep_server``) or ``off``."""
    return "on" if enabled is True else "kept" if keep_server is True else "off"


def snapshot(catalog: Catalog) -> Snapshot:
    """The facts of a validated catalog the classification compares."""
    org = catalog.organization
    return {
        "organization": {
            "name": org.name,
            "management_account_id": org.management_account_id,
            "home_region": org.home_region,
            "state_bucket_prefix": org.state_bucket_prefix,
            "deploy_role_name": org.deploy_role_name,
        },
        "datalake": {"account_id": catalog.datalake.account_id, "region": catalog.datalake.region},
        "silos": {
            s.name: {
                "account_id": s.account_id,
                "region": s.region,
                "decommission": s.decommission,
                "flows": {
                    f.name: {
                        "source": f.source,
                        "storage": f.storage_name,
                        "warehouse": f.warehouse,
                        "columns": [[c.name, c.type] for c in f.columns],
                        "partition_by": list(f.partition_by),
                        "keys": list(f.keys),
                        "schema_version": f.schema_version,
                    }
                    for f in s.flows
                },
                "removed_flows": list(s.removed_flows),
                "sftp": sftp_state(s.ingestion.sftp_enabled, s.ingestion.sftp_server_kept),
                "web_upload": s.ingestion.web_upload_enabled,
                "owners": list(s.owners),
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


def raw_snapshot(data: Any, lock_accounts: dict[str, str]) -> Snapshot:
    """Snapshot of a parsed but unvalidated catalog (a base may predate today's schema):
    what cannot be read is left out rather than guessed."""
    data = as_dict(data)
    org = as_dict(data.get("organization"))
    home = org.get("home_region")
    silos: dict[str, Any] = {}
    for s in as_list(data.get("silos")):
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or s["name"] in silos:
            continue
        flows = {}
        for f in as_list(s.get("flows")):
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                flows[f["name"]] = {
                    "source": f.get("source"),
                    "storage": f.get("renamed_from") or f["name"],
                    "warehouse": f.get("warehouse") is True,
                    "columns": [
                        [c.get("name"), c.get("type")] for c in as_list(f.get("columns")) if isinstance(c, dict)
                    ],
                    "partition_by": f.get("partition_by") if isinstance(f.get("partition_by"), list) else None,
                    "keys": f.get("keys") if isinstance(f.get("keys"), list) else None,
                    "schema_version": f.get("schema_version", 1),
                }
        ingestion = as_dict(s.get("ingestion"))
        sftp = as_dict(ingestion.get("sftp"))
        silos[s["name"]] = {
            "account_id": s.get("account_id") or lock_accounts.get(s["name"]),
            "region": s.get("region", home),
            "decommission": s.get("decommission") is True,
            "flows": flows,
            "removed_flows": [n for n in as_list(s.get("removed_flows")) if isinstance(n, str)],
            "sftp": sftp_state(sftp.get("enabled"), sftp.get("keep_server")),
            "web_upload": as_dict(ingestion.get("web_upload")).get("enabled") is True,
            "owners": [o for o in as_list(s.get("owners")) if isinstance(o, str)],
        }
    analytics = {}
    for c in as_list(data.get("analytics")):
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            chosen = c.get("silos", "all")
            analytics[c["name"]] = {
                "account_id": c.get("account_id"),
                "region": c.get("region", home),
                "silos": chosen if chosen == "all" else sorted(x for x in as_list(chosen) if isinstance(x, str)),
            }
    dl = as_dict(data.get("datalake_account"))
    return {
        "organization": {
            **{k: org.get(k) for k in ("name", "management_account_id", "home_region", "state_bucket_prefix")},
            # The schema default when the base leaves it out.
            "deploy_role_name": org.get("deploy_role_name", DEFAULT_DEPLOY_ROLE),
        },
        "datalake": {"account_id": dl.get("account_id"), "region": dl.get("region", home)},
        "silos": silos,
        "analytics": analytics,
    }


def positions(doc: SourceDoc) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[str, int]]:
    """Positions of silos, flows and consumers in the new catalog (to locate problems)."""
    data = as_dict(doc.data)
    silos: dict[str, int] = {}
    flows: dict[tuple[str, str], int] = {}
    for i, s in enumerate(as_list(data.get("silos"))):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            silos.setdefault(s["name"], i)
            for j, f in enumerate(as_list(s.get("flows"))):
                if isinstance(f, dict) and isinstance(f.get("name"), str):
                    flows.setdefault((s["name"], f["name"]), j)
    consumers = {
        c["name"]: i
        for i, c in enumerate(as_list(data.get("analytics")))
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    }
    return silos, flows, consumers
