"""Checks JSON Schema cannot express: uniqueness, cross references, AWS rules.

They run on the raw data even when the schema found problems, so one run reports every
mistake. Each check therefore guards its own assumptions about shapes (a malformed
entry is the schema's to report, not ours to crash on).
"""

from __future__ import annotations

import contextlib
import difflib
import ipaddress
import re
from pathlib import Path
from typing import Any

from .. import channels
from ..aws.arns import partition_of
from ..channels.checks import flow_findings
from . import limits
from .alerts import check_alerts
from .errors import Path as KeyPath
from .errors import Problem
from .expect import check_expect
from .flow import BUILTIN_PARTITIONS, STATUS_FOLDER, WAREHOUSE_PARTITION_TYPES, reserved_column
from .partitions import GOVCLOUD, GOVCLOUD_NO_FLOWS, partition_findings
from .quality import quality_findings
from .schedule import check_schedule
from .schema import load_schema
from .source import SourceDoc, as_dict
from .types import TypeSyntaxError, is_primitive, parse_type

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
# A malformed region is the schema's to report; checking it against allowed_regions too
# would print two messages for one mistake.
_JOB_ODD = re.compile(r"[^A-Za-z0-9_./-]")
_REGION = re.compile(load_schema()["$defs"]["region"]["pattern"])
_SLUG = re.compile(load_schema()["$defs"]["slug"]["pattern"])
# Partitions (check_organization): one per organization, commercial or GovCloud, and the
# capabilities AWS does not offer in GovCloud refused where asked (silolake/catalog/partitions.py).


def _items(value: Any) -> list[tuple[int, dict]]:
    """(index, mapping) pairs of a list, skipping malformed entries."""
    return [(i, v) for i, v in enumerate(value)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _some(names: list[str], limit: int = 8) -> str:
    """A readable list for a message: a 1,000-silo catalog must not print 1,000 names."""
    if len(names) <= limit:
        return ", ".join(names) or "(none)"
    return f"{', '.join(names[:limit])}, ... ({len(names)} in all)"


class _Checker:
    def __init__(self, doc: SourceDoc, lock_accounts: dict[str, str]):
        self.doc = doc
        self.data = as_dict(doc.data)
        self.lock_accounts = lock_accounts
        self.problems: list[Problem] = []
        org = as_dict(self.data.get("organization"))
        self.org_name = _str(org.get("name")) or "org"
        self.home = _str(org.get("home_region"))
        regions = org.get("allowed_regions")
        self.allowed = [r for r in regions if isinstance(r, str)] if isinstance(regions, list) else None

    def add(self, path: KeyPath, message: str, *, at_key: bool = False) -> None:
        # Messages quote user values; keep each problem on one line whatever they contain.
        message = message.replace("\r", "\\r").replace("\n", "\\n")
        self.problems.append(self.doc.problem(path, message, at_key=at_key))

    # -- helpers -----------------------------------------------------------------
    def unique(self, entries: list[tuple[int, dict]], base: KeyPath, what: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, entry in entries:
            name = _str(as_dict(entry).get("name"))
            if name is None:
                continue
            if name in seen:
                line = self.doc.locate(base + (seen[name], "name"))[0]
                self.add(base + (i, "name"), f"duplicate {what} name '{name}' (already used on line {line})")
            else:
                seen[name] = i
        return set(seen)

    def region(self, path: KeyPath, value: Any) -> None:
        if isinstance(value, str) and _REGION.match(value) and self.allowed is not None and value not in self.allowed:
            self.add(
                path,
                f"region '{value}' is not in organization.allowed_regions ({', '.join(self.allowed)}); "
                "add it there or pick an allowed region",
            )

    def email(self, path: KeyPath, value: Any) -> None:
        if isinstance(value, str) and not _EMAIL.match(value):
            self.add(path, f"'{value}' is not a valid e-mail address")

    # -- checks ------------------------------------------------------------------
    def run(self) -> list[Problem]:
        self.check_organization()
        silos = _items(self.data.get("silos"))
        silo_names = self.unique(silos, ("silos",), "silo")
        self.unique(_items(self.data.get("analytics")), ("analytics",), "analytics consumer")
        self.check_accounts(silos)
        for path, message, at_key in limits.derived_name_findings(self.data):
            self.add(path, message, at_key=at_key)
        dl = as_dict(self.data.get("datalake_account"))
        self.region(("datalake_account", "region"), dl.get("region"))
        for i, silo in silos:
            if isinstance(silo, dict):  # anything else is the schema's to report, once
                self.check_silo(("silos", i), silo)
        for i, consumer in _items(self.data.get("analytics")):
            consumer = as_dict(consumer)
            self.region(("analytics", i, "region"), consumer.get("region"))
            for j, name in _items(consumer.get("silos")):
                if isinstance(name, str) and _SLUG.match(name) and name not in silo_names:
                    close = difflib.get_close_matches(name, sorted(silo_names), n=1)
                    self.add(
                        ("analytics", i, "silos", j),
                        f"unknown silo '{name}'"
                        + (f" (did you mean '{close[0]}'?)" if close else "")
                        + f"; declared silos: {_some(sorted(silo_names))}",
                    )
        return self.problems

    def check_organization(self) -> None:
        for path, message, at_key in partition_findings(self.data):
            self.add(path, message, at_key=at_key)
        if self.home and _REGION.match(self.home) and self.allowed is not None and self.home not in self.allowed:
            self.add(
                ("organization", "home_region"),
                f"home region '{self.home}' must also be listed in organization.allowed_regions",
            )
        for path, message, at_key in limits.tag_findings(self.data):
            self.add(path, message, at_key=at_key)

    def check_accounts(self, silos: list[tuple[int, dict]]) -> None:
        owners: dict[str, tuple[KeyPath, str]] = {}

        def claim(path: KeyPath, account: Any, who: str) -> None:
            if not isinstance(account, str):
                return
            if account in owners:
                other_path, other = owners[account]
                line = self.doc.locate(other_path)[0]
                self.add(
                    path,
                    f"account {account} is already used by {other} (line {line}); "
                    "every silo, consumer and central role needs its own account",
                )
            else:
                owners[account] = (path, who)

        claim(
            ("organization", "management_account_id"),
            as_dict(self.data.get("organization")).get("management_account_id"),
            "the management account",
        )
        claim(
            ("datalake_account", "account_id"),
            as_dict(self.data.get("datalake_account")).get("account_id"),
            "the data lake account",
        )
        for i, consumer in _items(self.data.get("analytics")):
            claim(
                ("analytics", i, "account_id"),
                as_dict(consumer).get("account_id"),
                f"analytics consumer '{as_dict(consumer).get('name')}'",
            )
        for i, silo in silos:
            silo = as_dict(silo)
            name = silo.get("name")
            account = silo.get("account_id") or self.lock_accounts.get(str(name))
            claim(("silos", i, "account_id" if "account_id" in silo else "name"), account, f"silo '{name}'")
        # AWS Organizations refuses to create an account whose root e-mail another account
        # already has; without this check the second silo fails at apply time.
        emails: dict[str, tuple[int, str]] = {}
        for i, silo in silos:
            email = _str(as_dict(silo).get("email"))
            if email is None:
                continue
            if email.lower() in emails:
                line, other = emails[email.lower()]
                self.add(
                    ("silos", i, "email"),
                    f"e-mail '{email}' is already the account e-mail of silo "
                    f"'{other}' (line {line}); every AWS account needs its own root e-mail address",
                )
            else:
                emails[email.lower()] = (self.doc.locate(("silos", i, "email"))[0], str(as_dict(silo).get("name")))

    def check_silo(self, path: KeyPath, silo: dict) -> None:
        has_id, has_email = "account_id" in silo, "email" in silo
        if has_id and has_email:
            self.add(
                path + ("email",),
                "give exactly one of account_id (existing account) or email "
                "(the organization creates the account), not both",
                at_key=True,
            )
        elif not has_id and not has_email:
            self.add(
                path,
                "give exactly one of account_id (existing account) or email (the organization creates the account)",
            )
        self.email(path + ("email",), silo.get("email"))
        for j, owner in _items(silo.get("owners")):
            self.email(path + ("owners", j), owner)
        self.region(path + ("region",), silo.get("region"))
        check_alerts(path, silo, self.add)
        ingestion = as_dict(silo.get("ingestion"))
        sftp = as_dict(ingestion.get("sftp"))
        cidrs = _items(sftp.get("allowed_cidrs"))
        for j, cidr in cidrs:
            self.check_cidr(path + ("ingestion", "sftp", "allowed_cidrs", j), cidr)
        if sftp.get("enabled") is True and not cidrs:
            self.add(
                path + ("ingestion", "sftp", "allowed_cidrs"),
                "SFTP is enabled but no allowed_cidrs are given; list the partners' networks "
                "(0.0.0.0/0 must be written explicitly to open it to the internet)",
            )
        flows = _items(silo.get("flows"))
        self.unique(flows, path + ("flows",), "flow")
        for j, flow in flows:
            self.check_flow(path + ("flows", j), as_dict(flow), ingestion)
        files = channels.FILE_SOURCES
        if silo.get("malware_protection") is True and not any(as_dict(f).get("source") in files for _, f in flows):
            self.add(
                path + ("malware_protection",),
                f"malware_protection scans the files partners drop, but this silo has no {' or '.join(files)} flow; "
                + (
                    f"remove it: {GOVCLOUD_NO_FLOWS}, so there are no files to scan"
                    if self.home is not None and partition_of(self.home) == GOVCLOUD
                    else "remove it or add a file flow"
                ),
            )

    def check_cidr(self, path: KeyPath, value: Any) -> None:
        if not isinstance(value, str):
            return
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            hint = ""
            with contextlib.suppress(ValueError):
                hint = f" (did you mean {ipaddress.ip_network(value, strict=False)}?)"
            self.add(path, f"'{value}' is not a valid CIDR block: {exc}{hint}")

    def check_flow(self, path: KeyPath, flow: dict, ingestion: dict) -> None:
        if flow.get("name") == STATUS_FOLDER:
            self.add(
                path + ("name",),
                f"'{STATUS_FOLDER}' is reserved: SFTP partners see their status records in the folder "
                f"/{STATUS_FOLDER}, beside one folder per flow; give the flow another name",
            )
        declared = self.check_columns(path, flow)
        self.check_key_columns(path, flow, declared)
        self.check_warehouse(path, flow, declared)
        schedule = flow.get("schedule")
        if isinstance(schedule, str):
            reason = check_schedule(schedule)
            if reason:
                self.add(path + ("schedule",), f"invalid schedule '{schedule}': {reason}")
        self.check_job(path + ("job",), flow.get("job"))
        self.check_source(path, flow, ingestion)
        # quality: data-quality rules of the conform job (silolake/catalog/quality.py)
        for where, message in quality_findings(path, flow, declared):
            self.add(where, message)
        check_expect(path, flow, self.add)

    def check_columns(self, path: KeyPath, flow: dict) -> dict[str, Any]:
        """Column names and types; returns ``{name: parsed type or None}`` of the declared columns."""
        declared: dict[str, Any] = {}
        for k, col in _items(flow.get("columns")):
            col = as_dict(col)
            cname, ctype = _str(col.get("name")), _str(col.get("type"))
            if cname in declared:
                self.add(path + ("columns", k, "name"), f"duplicate column '{cname}'")
            reserved = reserved_column(cname) if cname else None
            if reserved:
                self.add(path + ("columns", k, "name"), reserved)
            parsed = None
            if ctype is not None:
                try:
                    parsed = parse_type(ctype)
                except TypeSyntaxError as exc:
                    self.add(path + ("columns", k, "type"), f"invalid column type '{ctype}': {exc}")
            if cname:
                declared[cname] = parsed
        return declared

    def check_key_columns(self, path: KeyPath, flow: dict, declared: dict[str, Any]) -> None:
        """``keys`` and ``partition_by`` name declared columns of primitive types (or built-in partitions)."""
        for key in ("keys", "partition_by"):
            for k, col in _items(flow.get(key)):
                if not isinstance(col, str):
                    continue
                if key == "partition_by" and col in BUILTIN_PARTITIONS and col not in declared:
                    continue
                if col not in declared:
                    if key == "partition_by":
                        hint = f" or a built-in ({', '.join(BUILTIN_PARTITIONS)})"
                    elif col in BUILTIN_PARTITIONS:
                        hint = f" ({col} is a built-in partition, not part of the records; keys must be columns)"
                    else:
                        close = difflib.get_close_matches(col, list(declared), n=1)
                        hint = f" (did you mean '{close[0]}'?)" if close else ""
                    self.add(path + (key, k), f"'{col}' is not a declared column{hint}")
                elif declared[col] is not None and not is_primitive(declared[col]):
                    self.add(
                        path + (key, k),
                        f"'{col}' has the complex type {declared[col]}; {key} may only name columns of primitive types",
                    )

    def check_warehouse(self, path: KeyPath, flow: dict, declared: dict[str, Any]) -> None:
        """A ``warehouse: true`` flow is loaded one processed partition at a time, with the
        partition values as SQL literals: it needs partitions, of types whose values are plain."""
        if flow.get("warehouse") is not True:
            return
        partitions = flow.get("partition_by", ["ingest_date"])
        if isinstance(partitions, list) and not partitions:
            self.add(path + ("partition_by",), "warehouse flows are loaded per partition; keep at least ingest_date")
        for k, col in _items(partitions):
            kind = declared.get(col) if isinstance(col, str) else None
            if kind is not None and str(kind) not in WAREHOUSE_PARTITION_TYPES:
                self.add(
                    path + ("partition_by", k),
                    f"'{col}' ({kind}) cannot partition a warehouse flow: use ingest_date or a column of type "
                    + "/".join(WAREHOUSE_PARTITION_TYPES),
                )

    def check_source(self, path: KeyPath, flow: dict, ingestion: dict) -> None:
        """Format, buffer and throttle fit the flow's channel and the silo has the channel's
        switch on (:func:`silolake.channels.checks.flow_findings`); csv options need csv."""
        for below, message in flow_findings(flow, ingestion):
            self.add(path + below, message)
        if "csv" in flow and flow.get("format") != "csv":
            self.add(path + ("csv",), "csv options are only meaningful with format: csv")

    def check_job(self, path: KeyPath, job: Any) -> None:
        if not isinstance(job, str) or job == "default":
            return
        odd = sorted(set(_JOB_ODD.findall(job)))
        if odd:
            # The path becomes an S3 key and a Glue script location in Terraform JSON.
            self.add(
                path,
                f"custom job '{job}' may only use letters, digits and _ . / - in its path, "
                f"not {', '.join(map(repr, odd))}",
            )
            return
        base = Path(self.doc.file).resolve().parent
        glue_src = (base / "glue_src").resolve()
        target = (base / job).resolve()
        if not target.is_relative_to(glue_src):
            self.add(path, f"custom job '{job}' must be a path under glue_src/ (e.g. glue_src/jobs/my_job.py)")
        elif target.suffix != ".py":
            self.add(path, f"custom job '{job}' must be a Python (.py) Glue script")
        elif not target.is_file():
            self.add(path, f"custom job '{job}' does not exist (looked for {target})")


def semantic_problems(doc: SourceDoc, lock_accounts: dict[str, str] | None = None) -> list[Problem]:
    """All semantic problems of ``doc`` (empty when valid)."""
    return _Checker(doc, lock_accounts or {}).run()
