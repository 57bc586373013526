"""AWS limits a catalog reaches through the names and tags silolake derives from it.

Every derived name is checked against its rule in :mod:`silolake.name_rules` and reported
at the catalog key that decides it: the organization name for the data lake account's
buckets, ``state_bucket_prefix`` for state buckets, a silo name for the silo's buckets,
roles, key alias, ..., a flow name for its stream, role, log group and tables, an
analytics consumer's name for its workgroup and buckets. One message per key: the worst
offender, saying what to change. Organization tags are checked against IAM's tag rules,
counting the tags silolake adds itself.

Like the other semantic checks these run on raw data that may also have schema
problems: a value the schema rejects is the schema's to report, so names are only
derived from values that match their schema pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .. import name_rules, names
from ..name_rules import NameRule
from .errors import Path as KeyPath
from .schema import load_schema

#: (key path, message, point at the key rather than the value)
Finding = tuple[KeyPath, str, bool]

PLACEHOLDER_ACCOUNT = "000000000000"  # lengths only: account ids are always 12 digits
_DEFS = load_schema()["$defs"]
_SLUG = re.compile(_DEFS["slug"]["pattern"])
_FLOW = re.compile(_DEFS["flow_name"]["pattern"])
_REGION = re.compile(_DEFS["region"]["pattern"])
_ORG = load_schema()["$defs"]["organization"]["properties"]
_ORG_NAME = re.compile(_ORG["name"]["pattern"])
_STATE_PREFIX = re.compile(_ORG["state_bucket_prefix"]["pattern"])

#: Tags silolake puts on every resource of a stack beside the organization's (stacks/base.py).
SYSTEM_TAG_KEYS = ("silolake:managed-by", "silolake:stack", "silolake:silo")
RESERVED_TAG_PREFIXES = (name_rules.RESERVED_TAG_PREFIX, "silolake:")
#: Organization tags that still fit AWS's per-resource limit next to silolake's own.
MAX_ORGANIZATION_TAGS = name_rules.MAX_TAGS_PER_RESOURCE - len(SYSTEM_TAG_KEYS)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _ok(pattern: re.Pattern[str], value: Any) -> str | None:
    return value if isinstance(value, str) and pattern.match(value) else None


def _report(derived: names.Derived, whose: str, skip: set[tuple[str, str]]) -> str | None:
    """One message for the worst broken rule in ``derived``, or None when all names are valid.

    ``skip``: (rule kind, reason) already reported at a key further up (an organization
    name starting with ``xn--`` is said once, at the organization, not at every silo).
    """
    worst: tuple[int, str, str, NameRule, list[tuple[str, str]]] | None = None
    for what, (name, rule) in derived.items():
        found = [(a, r) for a, r in rule.problems(name) if (rule.kind, r) not in skip]
        if not found:
            continue
        # Length problems first (the excess orders them), then any other broken rule.
        excess = len(name) - rule.max_len if any(a == "length" for a, _ in found) else 0
        if worst is None or excess > worst[0]:
            worst = (excess, what, name, rule, found)
    if worst is None:
        return None
    excess, what, name, rule, found = worst
    if excess > 0:
        return (
            f"name too long: the {what} would be '{name}' ({len(name)} characters, AWS allows {rule.max_len}); "
            f"shorten the {whose} by at least {excess} character{'s' * (excess > 1)}"
        )
    reasons = "; ".join(r for _, r in found)
    return f"the {what} would be '{name}', which AWS refuses as a {rule.kind} ({reasons}); change the {whose}"


def _reported(derived: names.Derived) -> set[tuple[str, str]]:
    return {(rule.kind, r) for name, rule in derived.values() for _, r in rule.problems(name)}


def _regions(data: dict) -> tuple[str | None, list[str]]:
    org = _dict(data.get("organization"))
    home = _ok(_REGION, org.get("home_region"))
    found = {home} if home else set()
    entries = [_dict(data.get("datalake_account"))]
    entries += [_dict(e) for e in _list(data.get("silos")) + _list(data.get("analytics"))]
    found |= {r for e in entries if (r := _ok(_REGION, e.get("region")))}
    return home, sorted(found)


def derived_name_findings(data: dict) -> Iterator[Finding]:
    """Every derived name that breaks its AWS rule, at the key to change."""
    org = _dict(data.get("organization"))
    home, regions = _regions(data)
    org_name = _ok(_ORG_NAME, org.get("name"))
    skip: set[tuple[str, str]] = set()
    if org_name and home:
        dl_region = _ok(_REGION, _dict(data.get("datalake_account")).get("region")) or home
        derived = names.organization_names(org_name, PLACEHOLDER_ACCOUNT, dl_region)
        message = _report(derived, "organization name", set())
        if message:
            yield ("organization", "name"), message, False
            skip = _reported(derived)
    prefix = _ok(_STATE_PREFIX, org.get("state_bucket_prefix"))
    if prefix and regions:
        message = _report(names.state_bucket_names(prefix, PLACEHOLDER_ACCOUNT, regions), "state_bucket_prefix", set())
        if message:
            yield ("organization", "state_bucket_prefix"), message, False
    if not org_name or not home:
        return
    silo_regions: dict[str, str] = {}
    for i, silo in enumerate(_list(data.get("silos"))):
        silo = _dict(silo)
        name = _ok(_SLUG, silo.get("name"))
        region = _ok(_REGION, silo.get("region")) or home
        if name is None:
            continue
        silo_regions[name] = region
        yield from _silo_findings(("silos", i), org_name, name, region, silo, skip)
    for i, consumer in enumerate(_list(data.get("analytics"))):
        consumer = _dict(consumer)
        name = _ok(_SLUG, consumer.get("name"))
        if name is None:
            continue
        reads = consumer.get("silos", "all")
        read_regions = {r for s, r in silo_regions.items() if reads == "all" or s in _list(reads)}
        read_regions.add(_ok(_REGION, consumer.get("region")) or home)
        derived = names.analytics_names(org_name, name, PLACEHOLDER_ACCOUNT, sorted(read_regions))
        message = _report(derived, "consumer name", skip)
        if message:
            yield ("analytics", i, "name"), message, False


def _silo_findings(
    path: KeyPath, org: str, silo: str, region: str, raw: dict, skip: set[tuple[str, str]]
) -> Iterator[Finding]:
    created = "email" in raw
    base = names.silo_names(org, silo, PLACEHOLDER_ACCOUNT, region, [], created_account=created)
    message = _report(base, "silo name", skip)
    if message:
        yield path + ("name",), message, False
        skip = skip | _reported(base)
    for j, flow in enumerate(_list(raw.get("flows"))):
        flow_name = _ok(_FLOW, _dict(flow).get("name"))
        if flow_name is None:
            continue
        message = _report(names.flow_names(org, silo, flow_name), "flow name (or the silo name)", skip)
        if message:
            yield path + ("flows", j, "name"), message, False
    email = raw.get("email")
    if isinstance(email, str):
        problems = name_rules.ORG_ACCOUNT_EMAIL.problems(email)
        if problems:
            yield (
                path + ("email",),
                f"AWS Organizations refuses '{email}' as an account e-mail: " + "; ".join(r for _, r in problems),
                False,
            )


def tag_findings(data: dict) -> Iterator[Finding]:
    """Organization tags outside IAM's tag rules, and too many tags once silolake adds its own."""
    tags = _dict(_dict(data.get("organization")).get("tags"))
    for key, value in tags.items():
        key_text = str(key)
        path: KeyPath = ("organization", "tags", key_text)
        if key_text.lower().startswith(RESERVED_TAG_PREFIXES):
            yield (
                path,
                f"tag key '{key_text}' uses a reserved prefix ({', '.join(RESERVED_TAG_PREFIXES)}); "
                "silolake and AWS set those themselves",
                True,
            )
        # Key characters and length: the schema's key pattern is a subset of IAM's rule.
        if isinstance(value, str):
            for aspect, reason in name_rules.tag_problems(value, key=False):
                if aspect != "length":  # the schema's maxLength says that already
                    yield path, f"tag value '{value}' is not valid: {reason}", False
    if len(tags) > MAX_ORGANIZATION_TAGS:
        yield (
            ("organization", "tags"),
            f"{len(tags)} tags: at most {MAX_ORGANIZATION_TAGS} fit, because AWS allows "
            f"{name_rules.MAX_TAGS_PER_RESOURCE} tags per resource and silolake adds its own "
            f"{len(SYSTEM_TAG_KEYS)} ({', '.join(SYSTEM_TAG_KEYS)}) to every resource",
            True,
        )
