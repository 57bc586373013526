"""Snapshots: the facts of a catalog the change rules compare (plain JSON data).

One builder, :func:`raw_snapshot`, reads them from a catalog's parsed data, leniently: a
base revision may predate today's schema or be invalid, so what cannot be read is left out
rather than guessed, and an omitted key takes today's schema default
(:func:`~silolake.catalog.schema.with_defaults`, as the model does). A validated catalog's
snapshot (:func:`snapshot`) is the same builder on its source data, given the account ids
the model resolved through the lock file; so a fact is added in one place, and the base
and the head of a comparison can never be read two ways.

Shape (also the ``snapshot`` of the manifest synth writes, :mod:`.manifest`; manifests of
earlier versions lack some keys, which the rules then do not compare)::

    {"organization": {name, management_account_id, home_region, state_bucket_prefix,
                      deploy_role_name},
     "datalake": {account_id, region},
     "silos": {name: {account_id, email_only, email, region, decommission, removed_flows, sftp,
                      web_upload, owners,
                      flows: {name: {source, format, csv: {delimiter, header}, storage,
                                     warehouse, schema_version, columns: [[name, glue type]],
                                     partition_by, keys}}}},
     "analytics": {name: {account_id, region, silos: "all" | [names]}}}
"""

from __future__ import annotations

from typing import Any

from ..model import Catalog
from ..schema import with_defaults
from ..source import read_yaml
from ..types import TypeSyntaxError, glue_type
from .base import Snapshot, as_dict, as_list


def sftp_state(enabled: Any, keep_server: Any) -> str:
    """``on``, ``kept`` (off, its Transfer server kept: ``sftp.keep_server``) or ``off``."""
    return "on" if enabled is True else "kept" if keep_server is True else "off"


def snapshot(catalog: Catalog, data: Any = None) -> Snapshot:
    """The snapshot of a validated catalog: :func:`raw_snapshot` of its source ``data`` (read
    from ``catalog.source`` when not given) with the account ids the model holds (those
    bootstrap recorded in the lock file included)."""
    if data is None:
        data = read_yaml(catalog.source).data
    return raw_snapshot(data, {s.name: s.account_id for s in catalog.silos if s.account_id})


def raw_snapshot(data: Any, lock_accounts: dict[str, str]) -> Snapshot:
    """The snapshot of parsed catalog ``data``, valid or not; ``lock_accounts``: silo name ->
    account id for silos given by e-mail (the lock file's)."""
    data = with_defaults(as_dict(data))
    org = as_dict(data.get("organization"))
    home = org.get("home_region")
    silos: dict[str, Any] = {}
    for s in as_list(data.get("silos")):
        if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"] not in silos:
            silos[s["name"]] = _silo(s, home, lock_accounts.get(s["name"]))
    analytics = {}
    for c in as_list(data.get("analytics")):
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            chosen = c.get("silos")
            analytics[c["name"]] = {
                "account_id": c.get("account_id"),
                "region": c.get("region", home),
                "silos": chosen if chosen == "all" else sorted(x for x in as_list(chosen) if isinstance(x, str)),
            }
    dl = as_dict(data.get("datalake_account"))
    keys = ("name", "management_account_id", "home_region", "state_bucket_prefix", "deploy_role_name")
    return {
        "organization": {k: org.get(k) for k in keys},
        "datalake": {"account_id": dl.get("account_id"), "region": dl.get("region", home)},
        "silos": silos,
        "analytics": analytics,
    }


def _silo(s: dict, home: Any, recorded: str | None) -> dict[str, Any]:
    flows: dict[str, dict[str, Any]] = {}
    for f in as_list(s.get("flows")):
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            flows.setdefault(f["name"], _flow(f))
    ingestion = as_dict(s.get("ingestion"))
    sftp = as_dict(ingestion.get("sftp"))
    return {
        "account_id": s.get("account_id") or recorded,
        # The org stack creates (and holds in its state) the account of a silo given by e-mail only.
        "email_only": not s.get("account_id") and isinstance(s.get("email"), str),
        "email": s.get("email") if isinstance(s.get("email"), str) else None,
        "region": s.get("region", home),
        "decommission": s.get("decommission") is True,
        "flows": flows,
        "removed_flows": [n for n in as_list(s.get("removed_flows")) if isinstance(n, str)],
        "sftp": sftp_state(sftp.get("enabled"), sftp.get("keep_server")),
        "web_upload": as_dict(ingestion.get("web_upload")).get("enabled") is True,
        "owners": [o for o in as_list(s.get("owners")) if isinstance(o, str)],
    }


def _flow(f: dict) -> dict[str, Any]:
    return {
        "source": f.get("source"),
        # How landed raw files are read (:mod:`.raw_format`); defaults applied, so spelling one out is no change.
        "format": f.get("format"),
        "csv": {k: v for k, v in as_dict(f.get("csv")).items() if k in ("delimiter", "header")},
        "storage": f.get("renamed_from") or f["name"],
        "warehouse": f.get("warehouse") is True,
        "quicksight": f.get("quicksight") is True,
        "columns": [[c["name"], _type(c.get("type"))] for c in as_list(f.get("columns")) if _named(c)],
        # Not a list (an invalid base): not compared, rather than read as a change.
        "partition_by": f["partition_by"] if isinstance(f.get("partition_by"), list) else None,
        "keys": f["keys"] if isinstance(f.get("keys"), list) else None,
        "schema_version": f.get("schema_version"),
    }


def _named(column: Any) -> bool:
    return isinstance(column, dict) and isinstance(column.get("name"), str)


def _type(text: Any) -> str:
    """The canonical Glue type of a column type as the model reads it (``INTEGER`` is
    ``int``), or the text as written when it does not parse (an invalid catalog)."""
    if not isinstance(text, str):
        return ""
    try:
        return glue_type(text)
    except TypeSyntaxError:
        return text


def version_of(flow: dict) -> int:
    """A snapshot flow's ``schema_version`` (1 in manifests from before the key, or unreadable)."""
    v = flow.get("schema_version", 1)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else 1
