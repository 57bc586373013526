"""AWS rules for every derived name, tag limits, built-in names and helpful name messages.

Each issue-shaped mistake gets a bad catalog of its own and the exact located message.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from silolake.aws import access_name_rules, name_registry, name_rules, names, tag_rules
from silolake.catalog import CatalogError, load_catalog, validate_file
from silolake.catalog.limits import MAX_ORGANIZATION_TAGS, registry
from silolake.catalog.schema import suggest_name
from silolake.constructs.ingestion.firehose_delivery import object_prefixes

MINIMAL = (Path(__file__).parent / "minimal.yaml").read_text()
S = "silos.yaml"


def mutate(*pairs: str, text: str = MINIMAL) -> str:
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


@pytest.fixture
def problems(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(catalog_dir)

    def run(text: str) -> list[str]:
        Path("silos.yaml").write_text(text)
        try:
            load_catalog("silos.yaml")
        except CatalogError as exc:
            return [str(p) for p in exc.problems]
        return []

    return run


CASES = {
    "tag value outside IAM's character set": (
        ("cost-center: data", 'cost-center: "R&D team!"'),
        [
            f"{S}:9:18: organization.tags.cost-center: tag value 'R&D team!' is not valid: AWS tags allow only "
            "letters, digits, spaces and _ . : / = + - @, not '!', '&'"
        ],
    ),
    "tag value longer than 256": (
        ("cost-center: data", "cost-center: " + "d" * 257),
        [f"{S}:9:18: organization.tags.cost-center: '{'d' * 257}' is too long: at most 256 characters"],
    ),
    "48 organization tags: 51 with silolake's own": (
        ("    cost-center: data\n", "".join(f"    t{i}: v\n" for i in range(MAX_ORGANIZATION_TAGS + 1))),
        [
            f"{S}:8:3: organization.tags: 48 tags: at most 47 fit, because AWS allows 50 tags per resource and "
            "silolake adds its own 3 (silolake:managed-by, silolake:stack, silolake:silo) to every resource"
        ],
    ),
    "organization name with a reserved bucket prefix": (
        ("name: acme\n", "name: xn--acme\n"),
        [
            f"{S}:3:9: organization.name: the artifacts bucket would be 'xn--acme-artifacts-000000000000-euw1', "
            "which AWS refuses as a S3 bucket name (names starting with 'xn--' are reserved by AWS); "
            "change the organization name"
        ],
    ),
    "state bucket prefix with a reserved bucket prefix": (
        ("state_bucket_prefix: acme-tfstate", "state_bucket_prefix: sthree-tf"),
        [
            f"{S}:7:24: organization.state_bucket_prefix: the state bucket in eu-west-1 would be "
            "'sthree-tf-000000000000-eu-west-1', which AWS refuses as a S3 bucket name (names starting with "
            "'sthree-' are reserved by AWS); change the state_bucket_prefix"
        ],
    ),
    "analytics consumer name too long for its buckets": (
        ("  - name: bi\n", "  - name: business-intelligence-and-reporting-team\n"),
        [
            f"{S}:13:11: analytics[0].name: name too long: the athena bucket in eu-west-1 would be "
            "'acme-business-intelligence-and-reporting-team-athena-000000000000-euw1' (70 characters, AWS allows "
            "63); shorten the consumer name by at least 7 characters"
        ],
    ),
    "account e-mail longer than Organizations allows": (
        ("email: aws-hr@acme.example", "email: " + "h" * 60 + "@acme.example"),
        [
            f"{S}:43:12: silos[1].email: AWS Organizations refuses '{'h' * 60}@acme.example' as an account "
            "e-mail: 73 characters, AWS allows 6 to 64"
        ],
    ),
    "flow name with a hyphen says what to write": (
        ("      - name: reports", "      - name: pos-sales"),
        [
            f"{S}:36:15: silos[0].flows[1].name: 'pos-sales' is not valid: expected lowercase letters, digits and "
            "underscores (becomes a Glue table name and an S3 prefix); write 'pos_sales' instead"
        ],
    ),
    "silo name in camel case says what to write": (
        ("  - name: hr\n", "  - name: HumanResources\n"),
        [
            f"{S}:42:11: silos[1].name: 'HumanResources' is not valid: expected lowercase letters, digits and "
            "hyphens; starts with a letter; used in resource names; write 'human-resources' instead"
        ],
    ),
    "region in capitals says what to write": (
        ("  - name: hr\n", "  - name: hr\n    region: EU-West-1\n"),
        [
            f"{S}:43:13: silos[1].region: 'EU-West-1' is not valid: expected an AWS region code such as "
            "eu-west-1; write 'eu-west-1' instead"
        ],
    ),
    "column named like the built-in partition": (
        ("{name: report_id, type: string}", "{name: ingest_date, type: string}", "partition_by: [ingest_date]", ""),
        [
            f"{S}:40:20: silos[0].flows[1].columns[0].name: 'ingest_date' is a built-in partition silolake adds to "
            "every table (date the record or file arrived (UTC), from the delivery time); give the column "
            "another name"
        ],
    ),
    "column with a reserved prefix": (
        ("{name: report_id, type: string}", "{name: __file, type: string}"),
        [
            f"{S}:40:20: silos[0].flows[1].columns[0].name: column names starting with '__' are reserved for "
            "silolake's own columns; write 'file'"
        ],
    ),
    "custom job path with template syntax": (
        ("        schedule: rate(1 hour)", "        schedule: rate(1 hour)\n        job: glue_src/${x}.py"),
        [
            f"{S}:36:14: silos[0].flows[0].job: custom job 'glue_src/${{x}}.py' may only use letters, digits and "
            "_ . / - in its path, not '$', '{', '}'"
        ],
    ),
}


@pytest.mark.parametrize("pairs, expected", CASES.values(), ids=list(CASES))
def test_rule(problems, pairs: tuple[str, ...], expected: list[str]) -> None:
    assert problems(mutate(*pairs)) == expected


def test_47_organization_tags_fit(problems) -> None:
    tags = "".join(f"    t{i}: v\n" for i in range(MAX_ORGANIZATION_TAGS))
    assert problems(mutate("    cost-center: data\n", tags)) == []


def test_a_flow_named_errors_is_valid_and_cannot_reach_error_records(problems) -> None:
    """The fault of issue 3: the flow's prefix and IAM grant stop at its own name."""
    assert problems(mutate("      - name: reports", "      - name: errors")) == []
    errors_flow = object_prefixes("errors")
    assert errors_flow == ["errors/", "_errors/errors/"]
    for other in ("orders", "reports"):
        for prefix in object_prefixes(other):
            assert not any(prefix.startswith(own) for own in errors_flow), (prefix, errors_flow)
    assert all(p.startswith("_") for p in names.SYSTEM_PREFIXES.values())


def test_unicode_tag_values_are_fine(problems) -> None:
    assert problems(mutate("cost-center: data", 'cost-center: "Forschung & Entwicklung"'))[0].endswith("not '&'")
    assert problems(mutate("cost-center: data", 'cost-center: "Forschung und Entwicklung: Zürich"')) == []


# -- the rules table itself ---------------------------------------------------------------

BUCKET_FAULTS = {
    "xn--acme-raw": "prefix",
    "sthree-acme": "prefix",
    "sthree-configurator-x": "prefix",
    "amzn-s3-demo-acme": "prefix",
    "acme-raw-s3alias": "suffix",
    "acme-raw--ol-s3": "suffix",
    "acme.mrap": "suffix",
    "acme-raw--x-s3": "suffix",
    "acme-raw--table-s3": "suffix",
    "acme..raw": "form",
    "192.168.5.4": "form",
    "Acme-raw": "charset",
    "-acme": "charset",
    "ab": "length",
    "a" * 64: "length",
}


@pytest.mark.parametrize("name, aspect", BUCKET_FAULTS.items())
def test_s3_bucket_rule_refuses_what_s3_documents(name: str, aspect: str) -> None:
    assert aspect in {a for a, _ in name_rules.S3_BUCKET.problems(name)}


def test_every_rule_cites_its_aws_doc_and_accepts_a_typical_name() -> None:
    typical = {
        "S3_BUCKET": "acme-sales-raw-444444444444-euw1",
        "IAM_ROLE": "silolake-sales-orders-firehose",
        "IAM_PATH": "/silolake/",
        "IAM_POLICY": "silolake-bi-silo-reader",
        "GLUE_DATABASE": "silo_sales",
        "GLUE_TABLE": "orders_raw",
        "GLUE_COLUMN": "order_id",
        "FIREHOSE_STREAM": "acme-sales-orders",
        "KMS_ALIAS": "alias/silolake-sales-data",
        "LOG_GROUP": "/aws/kinesisfirehose/acme-sales-orders",
        "API_GATEWAY_REST_API": "acme-sales-ingest",
        "ATHENA_WORKGROUP": "acme-bi",
        "STEP_FUNCTIONS": "silolake-sales-orders-etl",
        "TRANSFER_USER": "partner-a",
        "LAMBDA_FUNCTION": "silolake-sales-partner-admin",
        "GLUE_JOB": "silolake-sales-orders-conform",
        "EVENTBRIDGE_RULE": "silolake-sales-orders-schedule",
        "ORG_ACCOUNT_NAME": "acme-silo-sales",
        "ORG_ACCOUNT_EMAIL": "aws-sales@acme.example",
        "ORG_UNIT_NAME": "DataLake",
        "SCP_NAME": "silolake-silos-regions",
        "CLOUDWATCH_ALARM": "silolake-sales-orders-late-dhl-express",
        "CLOUDWATCH_DASHBOARD": "silolake-sales",
        "SCHEDULER_GROUP": "silolake-sales-health",
        "CODEBUILD_PROJECT": "silolake-sales-plan",
        "CODEPIPELINE": "silolake-sales-deploy",
        "CODECONNECTIONS_CONNECTION": "acme-silolake",
        "COGNITO_USER_POOL": "acme-sales-partner-admins",
        "COGNITO_DOMAIN": "acme-sales-partner-admins",
        "DYNAMODB_TABLE": "acme-sales-partner-lockout",
        "API_GATEWAY_HTTP_API": "acme-sales-partner",
        "SNS_TOPIC": "silolake-sales-etl-alerts",
        "SQS_QUEUE": "silolake-sales-health-dlq",
        "REDSHIFT_SERVERLESS": "silolake-sales-warehouse",
        "EC2_SECURITY_GROUP": "silolake-sales-warehouse",
        "GLUE_SECURITY_CONFIGURATION": "silolake-sales-etl",
        "ATHENA_DATA_CATALOG": "silo_sales",
        "CLOUDFRONT_OAC": "acme-sales-web-444444444444-euw1",
        "CLOUDFRONT_RESPONSE_HEADERS_POLICY": "acme-sales-partner-pages",
        "QUICKSIGHT_DATA_SOURCE": "silolake sales (Athena)",
    }
    assert set(typical) == set(name_registry.RULES)
    for key, rule in name_registry.RULES.items():
        assert rule.doc.startswith("https://docs.aws.amazon.com/") and rule.doc in rule.notes, key
        assert rule.accepts(typical[key]), (key, rule.problems(typical[key]))
    assert not name_rules.KMS_ALIAS.accepts("alias/aws/s3")
    assert not name_rules.STEP_FUNCTIONS.accepts("etl run")
    assert not access_name_rules.TRANSFER_USER.accepts("ab")
    assert not access_name_rules.COGNITO_DOMAIN.accepts("acme-amazon-partner-admins")
    assert not name_rules.EC2_SECURITY_GROUP.accepts("sg-warehouse")


def test_a_silo_name_cognito_refuses_in_its_sign_in_domain_is_located(problems) -> None:
    """The staff sign-in domain prefix (``<org>-<silo>-partner-admins``) may not contain 'aws',
    'amazon' or 'cognito': refused at the silo's name, before synth, not at apply."""
    found = problems(mutate("  - name: sales\n", "  - name: aws-sales\n"))
    assert found == [
        f"{S}:18:11: silos[0].name: the staff sign-in domain would be 'acme-aws-sales-partner-admins', which AWS "
        "refuses as a Cognito domain prefix (a Cognito domain prefix may not contain 'aws', 'amazon' or "
        "'cognito'); change the silo name"
    ]


def test_a_silo_pipeline_bucket_in_the_artifacts_region_is_checked() -> None:
    """The pipeline's bucket (and its access-log bucket) live in the artifacts bucket's region, the
    datalake's, not the silo's (``silolake.policy.delivery.pipeline_region``): validation derives
    them there (``ap-southeast-2`` is ``apse2``, one character longer than ``euw1``)."""
    text = mutate("datalake_account:\n", "datalake_account:\n  region: ap-southeast-2\n")
    found = {
        what: name
        for path, _, derived, _ in registry(yaml.safe_load(text))
        if path == ("silos", 0, "name")
        for what, (name, _) in derived.items()
    }
    assert found["pipeline artifact bucket"] == "acme-sales-pipeline-000000000000-apse2"
    assert found["pipeline access-log bucket"] == "acme-sales-logs-000000000000-apse2"
    assert found["raw bucket"] == "acme-sales-raw-000000000000-euw1"


def test_tag_rules() -> None:
    assert tag_rules.tag_problems("", key=False) == []
    assert tag_rules.tag_problems("Äpfel 7 _.:/=+-@", key=False) == []
    assert tag_rules.tag_problems("", key=True) == [("length", "0 characters, AWS allows 1 to 128")]
    assert tag_rules.tag_problems("AWS:cost", key=True) == [("prefix", "the 'aws:' prefix is reserved for AWS")]
    assert tag_rules.tag_problems("a\tb", key=False)  # a tab is not a separator (\p{Z})


@pytest.mark.parametrize(
    "value, pattern, expected",
    [
        ("pos-sales", "^[a-z][a-z0-9_]*$", "pos_sales"),
        ("PosSales", "^[a-z][a-z0-9_]*$", "pos_sales"),
        ("pos sales", "^[a-z][a-z0-9_]*$", "pos_sales"),
        ("Sales_EU", "^[a-z][a-z0-9-]*[a-z0-9]$", "sales-eu"),
        ("-sales-", "^[a-z][a-z0-9-]*[a-z0-9]$", "sales"),
        ("2fast", "^[a-z][a-z0-9_]*$", None),  # no mechanical fix: only the person knows
        ("café", "^[a-z][a-z0-9_]*$", None),
        ("pos_sales", "^[a-z][a-z0-9_]*$", None),  # already valid: nothing to suggest
    ],
)
def test_suggest_name(value: str, pattern: str, expected: str | None) -> None:
    assert suggest_name(value, pattern) == expected


def test_account_settings_reach_the_model(catalog_dir: Path) -> None:
    text = mutate("  - name: hr\n", "  - name: hr\n    account_settings: {s3_block_public_access: false}\n")
    (catalog_dir / "silos.yaml").write_text(text)
    catalog = load_catalog(catalog_dir / "silos.yaml")
    assert [s.s3_block_public_access for s in catalog.silos] == [True, False]


# -- every naming rule is broken by a catalog -------------------------------------------------------
# The recipe (docs/contributing.md, "Add a naming rule") asks for a catalog breaking each rule. The
# rules validation applies through the registry are broken by a generated catalog: the
# every-capability catalog with one name-deciding key set to a value too long (or reserved) for the
# names it derives; each such catalog must then be refused at that key, located (the message names
# the first rule the value breaks, or the schema's limit of the key). A rule checked
# outside the registry is broken by a case of CASES above; a rule no catalog value reaches says why.

EVERY_CAPABILITY = Path(__file__).resolve().parents[1] / "day2" / "catalogs" / "full.yaml"


def _set(*path: str | int):
    def edit(data: dict, value: str) -> None:
        *parents, last = path
        for key in parents:
            data = data[key]
        data[last] = value

    return edit


def _created_silo(data: dict, value: str) -> None:
    """The first silo's account created by the organization (its account name is derived)."""
    hub = data["silos"][0]
    del hub["account_id"]
    hub["email"], hub["name"] = "aws-hub@beta.example", value


def _partner(data: dict, value: str) -> None:
    sftp = next(f for f in data["silos"][0]["flows"] if f["source"] == "sftp")
    sftp["expect"] = {"partners": {value: {"every": "1d"}}}


#: Name-deciding keys of the catalog: what it is -> (how to set it, key path it is located at).
KEYS = {
    "organization name": (_set("organization", "name"), ("organization", "name")),
    "state bucket prefix": (_set("organization", "state_bucket_prefix"), ("organization", "state_bucket_prefix")),
    "deploy role name": (_set("organization", "deploy_role_name"), ("organization", "deploy_role_name")),
    "silos OU name": (
        lambda data, v: data["organization"].setdefault("ous", {}).update(silos=v),
        ("organization", "ous", "silos"),
    ),
    "silo name": (_set("silos", 0, "name"), ("silos", 0, "name")),
    "created silo name": (_created_silo, ("silos", 0, "name")),
    "flow name": (_set("silos", 0, "flows", 0, "name"), ("silos", 0, "flows", 0, "name")),
    "partner name": (_partner, ("silos", 0, "flows")),
    "consumer name": (_set("analytics", 0, "name"), ("analytics", 0, "name")),
}
VALUES = ("a" * 70, "a" * 300, "a" * 600, "aws", "amazon-x", "xn--ab")
#: Rules checked outside the registry, each broken by a case of CASES (``test_rule`` proves it).
BROKEN_BY_A_CASE = {"ORG_ACCOUNT_EMAIL": "account e-mail longer than Organizations allows"}
#: Rules no catalog value can break, and why.
NO_CATALOG_VALUE = {
    "IAM_PATH": "silolake's IAM path is fixed (/silolake/); no registry table uses the rule",
    "SCP_NAME": "guardrail policy names are fixed (name_registry.fixed_names)",
    "GLUE_COLUMN": "column names are held by the schema's column pattern; no registry table uses the rule",
    "TRANSFER_USER": "partner names are held by the schema's partner pattern; no registry table uses the rule",
}


def _rule_names() -> dict[int, str]:
    return {id(rule): name for name, rule in name_registry.RULES.items()}


def generated_breaks() -> dict[str, tuple[str, str]]:
    """Rule -> (key, value): the first generated catalog whose derived names break it."""
    base = yaml.safe_load(EVERY_CAPABILITY.read_text())
    named, found = _rule_names(), {}
    for key, (edit, _) in KEYS.items():
        for value in VALUES:
            data = copy.deepcopy(base)
            edit(data, value)
            for _, _, derived, _ in registry(data):
                for name, rule in derived.values():
                    if rule.problems(name):
                        found.setdefault(named[id(rule)], (key, value))
    return found


def unbroken(broken: set[str]) -> list[str]:
    """Rules without a catalog breaking them and without a reason no catalog can."""
    return sorted(set(name_registry.RULES) - broken - set(BROKEN_BY_A_CASE) - set(NO_CATALOG_VALUE))


def test_every_naming_rule_is_broken_by_a_catalog_refused_at_its_key(tmp_path: Path) -> None:
    breaks = generated_breaks()
    assert unbroken(set(breaks)) == [], "break each rule with a catalog (KEYS/VALUES, or CASES) or say why none can"
    # Each list is exact: a rule broken by the generator is not excused, a case names its rule.
    assert not set(breaks) & (set(BROKEN_BY_A_CASE) | set(NO_CATALOG_VALUE))
    assert set(BROKEN_BY_A_CASE.values()) <= set(CASES)
    base = yaml.safe_load(EVERY_CAPABILITY.read_text())
    for key, value in sorted(set(breaks.values())):
        edit, at = KEYS[key]
        data = copy.deepcopy(base)
        edit(data, value)
        path = tmp_path / "silos.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        found = [str(p) for p in validate_file(path)[1]]
        dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in at).lstrip(".")
        assert any(re.match(rf".*silos\.yaml:\d+:\d+: {re.escape(dotted)}", p) for p in found), (key, value, found)


def test_a_rule_no_catalog_breaks_is_named() -> None:
    assert unbroken(set(name_registry.RULES) - {"S3_BUCKET", "ORG_ACCOUNT_EMAIL"}) == ["S3_BUCKET"]
