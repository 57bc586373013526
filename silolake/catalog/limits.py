"""AWS limits a catalog reaches through the names and tags silolake derives from it.

Every derived name is checked against its rule in :mod:`silolake.aws.name_rules` and reported
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

from ..aws import access_name_rules, name_registry, tag_rules
from ..aws.name_registry import Derived
from ..aws.name_rule import NameRule
from .errors import Path as KeyPath
from .schema import load_schema
from .source import as_dict, as_list

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
_PARTNER_NAMES = _DEFS["flow"]["properties"]["expect"]["properties"]["partners"]["propertyNames"]
#: The partner-name rule (the credential admin's): the schema's pattern and its message.
PARTNER_NAME = re.compile(_PARTNER_NAMES["pattern"])
PARTNER_NAME_RULE: str = _PARTNER_NAMES["patternErrorMessage"]
_PARTNER = PARTNER_NAME

#: Tags silolake puts on every resource of a stack beside the organization's (stacks/base.py).
SYSTEM_TAG_KEYS = ("silolake:managed-by", "silolake:stack", "silolake:silo")
RESERVED_TAG_PREFIXES = (tag_rules.RESERVED_TAG_PREFIX, "silolake:")
#: Organization tags that still fit AWS's per-resource limit next to silolake's own.
MAX_ORGANIZATION_TAGS = tag_rules.MAX_TAGS_PER_RESOURCE - len(SYSTEM_TAG_KEYS)


def _ok(pattern: re.Pattern[str], value: Any) -> str | None:
    return value if isinstance(value, str) and pattern.match(value) else None


#: One table of the registry at the catalog key that decides it: (key path, what to change
#: in words, the names, the key path of the table whose faults it does not repeat or None).
Group = tuple[KeyPath, str, Derived, KeyPath | None]


def _report(derived: Derived, whose: str, skip: set[tuple[str, str]]) -> str | None:
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


def _reported(derived: Derived) -> set[tuple[str, str]]:
    return {(rule.kind, r) for name, rule in derived.values() for _, r in rule.problems(name)}


def _regions(data: dict) -> tuple[str | None, list[str]]:
    org = as_dict(data.get("organization"))
    home = _ok(_REGION, org.get("home_region"))
    found = {home} if home else set()
    entries = [as_dict(data.get("datalake_account"))]
    entries += [as_dict(e) for e in as_list(data.get("silos")) + as_list(data.get("analytics"))]
    found |= {r for e in entries if (r := _ok(_REGION, e.get("region")))}
    return home, sorted(found)


def registry(data: dict) -> Iterator[Group]:
    """Every table of :mod:`silolake.aws.name_registry` a raw catalog derives, each at the key that
    decides its names (the organization, ``state_bucket_prefix``, an OU name, a silo, a flow,
    a partner of ``expect.partners``, an analytics consumer), with the placeholder account id.
    A table follows its parent's: a fault its parent has is reported there only."""
    org = as_dict(data.get("organization"))
    home, regions = _regions(data)
    org_name = _ok(_ORG_NAME, org.get("name"))
    yield (), "silolake's fixed names", name_registry.fixed_names(), None
    # Taken verbatim (the schema holds them to their rules; listed so the registry is whole).
    ous = {key: spec["default"] for key, spec in _ORG["ous"]["properties"].items()} | as_dict(org.get("ous"))
    for key, value in ous.items():
        if isinstance(value, str):
            yield (
                ("organization", "ous", key),
                "OU name",
                name_registry.organization_value_names({key: value}, None),
                None,
            )
    role = org.get("deploy_role_name", _ORG["deploy_role_name"]["default"])
    if isinstance(role, str):
        derived = name_registry.organization_value_names({}, role)
        yield ("organization", "deploy_role_name"), "deploy_role_name", derived, None
    prefix = _ok(_STATE_PREFIX, org.get("state_bucket_prefix"))
    if prefix and regions:
        derived = name_registry.state_bucket_names(prefix, PLACEHOLDER_ACCOUNT, regions)
        yield ("organization", "state_bucket_prefix"), "state_bucket_prefix", derived, None
    if not org_name or not home:
        return
    dl_region = _ok(_REGION, as_dict(data.get("datalake_account")).get("region")) or home
    org_key: KeyPath = ("organization", "name")
    yield org_key, "organization name", name_registry.organization_names(org_name, PLACEHOLDER_ACCOUNT, dl_region), None
    silo_regions: dict[str, str] = {}
    for i, silo in enumerate(as_list(data.get("silos"))):
        silo = as_dict(silo)
        name = _ok(_SLUG, silo.get("name"))
        region = _ok(_REGION, silo.get("region")) or home
        if name is None:
            continue
        silo_regions[name] = region
        yield from _silo_groups(("silos", i), org_name, name, region, dl_region, silo, org_key)
    for i, consumer in enumerate(as_list(data.get("analytics"))):
        consumer = as_dict(consumer)
        name = _ok(_SLUG, consumer.get("name"))
        if name is None:
            continue
        reads = consumer.get("silos", "all")
        read_regions = {r for s, r in silo_regions.items() if reads == "all" or s in as_list(reads)}
        read_regions.add(_ok(_REGION, consumer.get("region")) or home)
        derived = name_registry.analytics_names(org_name, name, PLACEHOLDER_ACCOUNT, sorted(read_regions))
        yield ("analytics", i, "name"), "consumer name", derived, org_key


def _silo_groups(
    path: KeyPath, org: str, silo: str, region: str, pipeline_region: str, raw: dict, org_key: KeyPath
) -> Iterator[Group]:
    created = "email" in raw
    silo_key = path + ("name",)
    base = name_registry.silo_names(
        org, silo, PLACEHOLDER_ACCOUNT, region, [], created_account=created, pipeline_region=pipeline_region
    )
    yield silo_key, "silo name", base, org_key
    for j, flow in enumerate(as_list(raw.get("flows"))):
        flow = as_dict(flow)
        flow_name = _ok(_FLOW, flow.get("name"))
        if flow_name is None:
            continue
        storage = _ok(_FLOW, flow.get("renamed_from")) or flow_name
        version = flow.get("schema_version")
        data_name = f"{storage}_v{version}" if isinstance(version, int) and version > 1 else storage
        flow_key = path + ("flows", j, "name")
        yield (
            flow_key,
            "flow name (or the silo name)",
            name_registry.flow_names(org, silo, flow_name, storage, data_name),
            silo_key,
        )
        for partner in as_dict(as_dict(flow.get("expect")).get("partners")):
            if isinstance(partner, str) and _PARTNER.match(partner):
                derived = name_registry.partner_names(silo, flow_name, partner)
                partner_key = path + ("flows", j, "expect", "partners", partner)
                yield partner_key, "partner name (or the flow or silo name)", derived, flow_key


def derived_name_findings(data: dict) -> Iterator[Finding]:
    """Every derived name that breaks its AWS rule, at the key to change: one message per key,
    a fault said once at the highest key that has it (:func:`registry`)."""
    said: dict[KeyPath, set[tuple[str, str]]] = {}
    for path, whose, derived, parent in registry(data):
        skip = said.get(parent, set()) if parent is not None else set()
        message = _report(derived, whose, skip)
        said[path] = skip | (_reported(derived) if message else set())
        if message:
            at_key = path[-2:-1] == ("partners",)
            yield path if path else ("organization",), message, at_key
    yield from _email_findings(data)


def _email_findings(data: dict) -> Iterator[Finding]:
    for i, silo in enumerate(as_list(data.get("silos"))):
        email = as_dict(silo).get("email")
        if isinstance(email, str):
            problems = access_name_rules.ORG_ACCOUNT_EMAIL.problems(email)
            if problems:
                yield (
                    ("silos", i, "email"),
                    f"AWS Organizations refuses '{email}' as an account e-mail: " + "; ".join(r for _, r in problems),
                    False,
                )


def tag_findings(data: dict) -> Iterator[Finding]:
    """Organization tags outside IAM's tag rules, and too many tags once silolake adds its own."""
    tags = as_dict(as_dict(data.get("organization")).get("tags"))
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
            for aspect, reason in tag_rules.tag_problems(value, key=False):
                if aspect != "length":  # the schema's maxLength says that already
                    yield path, f"tag value '{value}' is not valid: {reason}", False
    if len(tags) > MAX_ORGANIZATION_TAGS:
        yield (
            ("organization", "tags"),
            f"{len(tags)} tags: at most {MAX_ORGANIZATION_TAGS} fit, because AWS allows "
            f"{tag_rules.MAX_TAGS_PER_RESOURCE} tags per resource and silolake adds its own "
            f"{len(SYSTEM_TAG_KEYS)} ({', '.join(SYSTEM_TAG_KEYS)}) to every resource",
            True,
        )
