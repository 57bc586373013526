"""Every catalog validation rule, each with a bad catalog of its own.

Each case starts from ``minimal.yaml`` (a small valid catalog), changes one thing and
asserts the exact located messages: ``file:line:col: key.path: message``. Line and
column numbers refer to the mutated text; replacements keep the line count unless the
case adds lines after the position it checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from silolake.catalog import CatalogError, load_catalog

MINIMAL = (Path(__file__).parent / "minimal.yaml").read_text()
EXAMPLE = Path(__file__).resolve().parents[2] / "silos.yaml"


def mutate(*pairs: str, text: str = MINIMAL) -> str:
    """Apply (old, new) replacements; each ``old`` must occur exactly once."""
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


@pytest.fixture
def problems(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """Validate a catalog text written as ``silos.yaml`` in a scratch directory."""
    monkeypatch.chdir(catalog_dir)

    def run(text: str, lock: str | None = None) -> list[str]:
        Path("silos.yaml").write_text(text)
        if lock is not None:
            Path("accounts.lock.json").write_text(lock)
        try:
            load_catalog("silos.yaml")
        except CatalogError as exc:
            return [str(p) for p in exc.problems]
        return []

    return run


def test_minimal_catalog_is_valid(problems) -> None:
    assert problems(MINIMAL) == []


def test_example_catalog_is_valid() -> None:
    catalog = load_catalog(EXAMPLE)
    assert len(catalog.silos) >= 3


S = "silos.yaml"
FLOW_KEYS = (
    "adopt, buffer, columns, csv, expect, format, glue, job, keys, name, partition_by, quality, quicksight, "
    "renamed_from, "
    "schedule, schema_version, source, throttle, warehouse"
)
ONE_OF = "give exactly one of account_id (existing account) or email (the organization creates the account)"
REGIONS = "(eu-west-1, eu-central-1); add it there or pick an allowed region"
SFTP_NO_CIDRS = (
    "SFTP is enabled but no allowed_cidrs are given; list the partners' networks "
    "(0.0.0.0/0 must be written explicitly to open it to the internet)"
)
ACCOUNT_REUSED = "every silo, consumer and central role needs its own account"

CASES = {
    # -- document level ------------------------------------------------------------
    "yaml syntax error": (
        ("    silos: all", "    silos: [all"),
        [
            f"{S}:17:6: (document): YAML syntax error: did not find expected ',' or ']' "
            "(while parsing a flow sequence started on line 16)"
        ],
    ),
    "duplicate yaml key": (
        ("    silos: all", "    silos: all\n    silos: all"),
        [
            f"{S}:17:5: analytics[0].silos: duplicate key 'silos' (first defined on line 16); "
            "YAML keeps only the last one, so merge the two entries"
        ],
    ),
    "wrong version": (
        ("version: 1", "version: 2"),
        [f"{S}:1:10: version: unsupported catalog version 2; this silolake reads version 1"],
    ),
    "version as a string": (
        ("version: 1", "version: '1'"),
        [f"{S}:1:10: version: unsupported catalog version '1'; this silolake reads version 1"],
    ),
    # -- schema: keys ----------------------------------------------------------------
    "unknown top-level key (typo of a required key: one message)": (
        ("datalake_account:", "datalake_acount:"),
        [
            f"{S}:10:1: datalake_acount: unknown key 'datalake_acount' (did you mean 'datalake_account'?); "
            "allowed keys: analytics, datalake_account, delivery, organization, silos, version"
        ],
    ),
    "unknown organization key": (
        ("  state_bucket_prefix: acme-tfstate", "  state_bucket_prefix: acme-tfstate\n  home_regon: x"),
        [
            f"{S}:8:3: organization.home_regon: unknown key 'home_regon' (did you mean 'home_region'?); "
            "allowed keys: allowed_regions, deploy_role_name, home_region, management_account_id, name, ous, "
            "state_bucket_prefix, tags"
        ],
    ),
    "unknown flow key": (
        ("        keys: [order_id]", "        key: [order_id]"),
        [f"{S}:34:9: silos[0].flows[0].key: unknown key 'key' (did you mean 'keys'?); allowed keys: {FLOW_KEYS}"],
    ),
    "unknown key without a close match": (
        ("        keys: [order_id]", "        keys: [order_id]\n        zzz: 1"),
        [f"{S}:35:9: silos[0].flows[0].zzz: unknown key 'zzz'; allowed keys: {FLOW_KEYS}"],
    ),
    "key that YAML reads as a number": (
        ("        keys: [order_id]", "        keys: [order_id]\n        1: x"),
        [f"{S}:35:9: silos[0].flows[0].1: unknown key '1'; allowed keys: {FLOW_KEYS}"],
    ),
    "key that YAML reads as a boolean": (
        ("        keys: [order_id]", "        keys: [order_id]\n        yes: x"),
        [f"{S}:35:9: silos[0].flows[0].True: unknown key 'True'; allowed keys: {FLOW_KEYS}"],
    ),
    "key that YAML reads as null": (
        ("        keys: [order_id]", "        keys: [order_id]\n        ~: x"),
        [f"{S}:35:9: silos[0].flows[0].None: unknown key 'None'; allowed keys: {FLOW_KEYS}"],
    ),
    "missing required key of a list item": (
        ("    owners: [hr@acme.example]\n", ""),
        [f"{S}:42:5: silos[1]: missing required key 'owners'"],
    ),
    "missing required keys of a mapping (at its key)": (
        ("  home_region: eu-west-1\n", "", "  state_bucket_prefix: acme-tfstate\n", ""),
        [f"{S}:2:1: organization: missing required keys 'home_region', 'state_bucket_prefix'"],
    ),
    "missing version": (("version: 1\n", ""), [f"{S}:1:1: (document): missing required key 'version'"]),
    # -- schema: types and formats ----------------------------------------------------
    "boolean expected": (
        ("web_upload:\n        enabled: true", "web_upload:\n        enabled: 'yes'"),
        [f"{S}:26:18: silos[0].ingestion.web_upload.enabled: expected true or false, got a string"],
    ),
    "list expected": (
        ("    owners: [alice@acme.example]", "    owners: alice@acme.example"),
        [f"{S}:20:13: silos[0].owners: expected a list, got a string"],
    ),
    "string expected": (
        ("schedule: rate(1 hour)", "schedule: 5"),
        [f"{S}:35:19: silos[0].flows[0].schedule: expected a string, got a whole number"],
    ),
    "enum with suggestion": (
        ("        source: sftp", "        source: ftp"),
        [f"{S}:37:17: silos[0].flows[1].source: 'ftp' is not one of 'api', 'sftp', 'upload' (did you mean 'sftp'?)"],
    ),
    "unquoted account id": (
        ('    account_id: "444444444444"', "    account_id: 444444444444"),
        [
            f'{S}:19:17: silos[0].account_id: write it as a quoted string ("444444444444"); '
            "YAML read it as the number 444444444444"
        ],
    ),
    "unquoted account id with a leading zero (YAML octal)": (
        ('    account_id: "444444444444"', "    account_id: 012345670123"),
        [
            f'{S}:19:17: silos[0].account_id: write it as a quoted string ("012345670123"); '
            "YAML read it as the number 1402433619"
        ],
    ),
    "account id of 11 digits": (
        ('    account_id: "444444444444"', '    account_id: "44444444444"'),
        [f"{S}:19:17: silos[0].account_id: '44444444444' is not valid: expected a 12-digit AWS account id, quoted."],
    ),
    "silo name not a slug": (
        ("  - name: hr", "  - name: HR"),
        [
            f"{S}:42:11: silos[1].name: 'HR' is not valid: expected lowercase letters, digits and hyphens; "
            "starts with a letter; used in resource names; write 'hr' instead"
        ],
    ),
    "flow name not a table name": (
        ("      - name: reports", "      - name: Reports"),
        [
            f"{S}:36:15: silos[0].flows[1].name: 'Reports' is not valid: expected lowercase letters, digits and "
            "underscores (becomes a Glue table name and an S3 prefix); write 'reports' instead"
        ],
    ),
    "region not a region code": (
        ("  - name: hr", "  - name: hr\n    region: Europe"),
        [f"{S}:43:13: silos[1].region: 'Europe' is not valid: expected an AWS region code such as eu-west-1."],
    ),
    "role name with a space": (
        ("reader_roles: [analyst]", "reader_roles: ['bad role']"),
        [
            f"{S}:15:20: analytics[0].reader_roles[0]: 'bad role' is not valid: expected an IAM role name: "
            "1 to 64 letters, digits or + = , . @ _ -"
        ],
    ),
    "state bucket prefix not a bucket name": (
        ("state_bucket_prefix: acme-tfstate", "state_bucket_prefix: Acme_tf"),
        [
            f"{S}:7:24: organization.state_bucket_prefix: 'Acme_tf' is not valid: expected lowercase letters, "
            "digits and hyphens, not starting or ending with a hyphen (it begins S3 bucket names); "
            "write 'acme-tf' instead"
        ],
    ),
    "organization name not a slug": (
        ("  name: acme", "  name: Acme"),
        [
            f"{S}:3:9: organization.name: 'Acme' is not valid: expected lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen; write 'acme' instead"
        ],
    ),
    "column name not a Glue column name": (
        ("{name: report_id, type: string}", "{name: Report-ID, type: string}"),
        [
            f"{S}:40:20: silos[0].flows[1].columns[0].name: 'Report-ID' is not valid: expected lowercase letters, "
            "digits and underscores, not starting with a digit (Glue/Athena column names); write 'report_id' instead"
        ],
    ),
    "silo that is not a mapping (one message)": (
        ("  - name: hr\n    email: aws-hr@acme.example\n    owners: [hr@acme.example]\n", "  - hr\n"),
        [f"{S}:42:5: silos[1]: expected a mapping, got a string"],
    ),
    "organization name too long": (
        ("  name: acme", "  name: acmecorporation"),
        [f"{S}:3:9: organization.name: 'acmecorporation' is too long: at most 12 characters"],
    ),
    "buffer above the Firehose maximum": (
        ("        source: api", "        source: api\n        buffer: {seconds: 901}"),
        [f"{S}:30:27: silos[0].flows[0].buffer.seconds: must be at most 900, got 901"],
    ),
    "no owners": (
        ("    owners: [hr@acme.example]", "    owners: []"),
        [f"{S}:44:13: silos[1].owners: needs at least 1 item(s)"],
    ),
    "owner listed twice": (
        ("    owners: [hr@acme.example]", "    owners: [hr@acme.example, hr@acme.example]"),
        [f"{S}:44:13: silos[1].owners: contains duplicate entries; list each value once"],
    ),
    "invalid tag key": (
        ("    cost-center: data", "    cost-center: data\n    'bad#key': x"),
        [
            f"{S}:10:5: organization.tags.bad#key: key 'bad#key' is not valid: expected a tag key: "
            "1 to 128 letters, digits, spaces or _ . : / = + - @."
        ],
    ),
    "analytics silos neither 'all' nor a list": (
        ("silos: all", "silos: everything"),
        [
            f"{S}:16:12: analytics[0].silos: 'everything' is not valid: "
            "Silos this consumer may read: 'all' or a list of silo names."
        ],
    ),
    "analytics silos a number": (
        ("silos: all", "silos: 3"),
        [
            f"{S}:16:12: analytics[0].silos: 3 is not valid: "
            "Silos this consumer may read: 'all' or a list of silo names."
        ],
    ),
    "analytics silos list with a malformed entry (one message, at the entry)": (
        ("silos: all", "silos: [sales, Bad]"),
        [
            f"{S}:16:20: analytics[0].silos[1]: 'Bad' is not valid: expected lowercase letters, digits and hyphens; "
            "starts with a letter; used in resource names; write 'bad' instead"
        ],
    ),
    # -- uniqueness -------------------------------------------------------------------
    "duplicate silo name": (
        ("  - name: hr", "  - name: sales"),
        [f"{S}:42:11: silos[1].name: duplicate silo name 'sales' (already used on line 18)"],
    ),
    "duplicate flow name within a silo": (
        ("      - name: reports", "      - name: orders"),
        [f"{S}:36:15: silos[0].flows[1].name: duplicate flow name 'orders' (already used on line 28)"],
    ),
    "duplicate analytics consumer name": (
        ("silos:\n", "  - {name: bi, account_id: '555555555555', reader_roles: [x]}\nsilos:\n"),
        [f"{S}:17:12: analytics[1].name: duplicate analytics consumer name 'bi' (already used on line 13)"],
    ),
    "account id shared by a silo and a consumer": (
        ('    account_id: "444444444444"', '    account_id: "333333333333"'),
        [
            f"{S}:19:17: silos[0].account_id: account 333333333333 is already used by analytics consumer 'bi' "
            f"(line 14); {ACCOUNT_REUSED}"
        ],
    ),
    "data lake account is the management account": (
        ('  account_id: "222222222222"', '  account_id: "111111111111"'),
        [
            f"{S}:11:15: datalake_account.account_id: account 111111111111 is already used by the management "
            f"account (line 4); {ACCOUNT_REUSED}"
        ],
    ),
    # -- accounts -----------------------------------------------------------------------
    "account_id and email both given": (
        ('    account_id: "444444444444"', '    account_id: "444444444444"\n    email: x@acme.example'),
        [f"{S}:20:5: silos[0].email: {ONE_OF}, not both"],
    ),
    "neither account_id nor email": (("    email: aws-hr@acme.example\n", ""), [f"{S}:42:5: silos[1]: {ONE_OF}"]),
    "two silos with the same account e-mail (case-insensitive)": (
        (
            "    owners: [hr@acme.example]\n",
            "    owners: [hr@acme.example]\n  - name: legal\n"
            "    email: AWS-HR@acme.example\n    owners: [legal@acme.example]\n",
        ),
        [
            f"{S}:46:12: silos[2].email: e-mail 'AWS-HR@acme.example' is already the account e-mail of silo 'hr' "
            "(line 43); every AWS account needs its own root e-mail address"
        ],
    ),
    # -- regions ------------------------------------------------------------------------
    "silo region not allowed": (
        ("  - name: hr", "  - name: hr\n    region: us-east-1"),
        [f"{S}:43:13: silos[1].region: region 'us-east-1' is not in organization.allowed_regions {REGIONS}"],
    ),
    "analytics region not allowed": (
        ("    silos: all", "    silos: all\n    region: us-east-1"),
        [f"{S}:17:13: analytics[0].region: region 'us-east-1' is not in organization.allowed_regions {REGIONS}"],
    ),
    "data lake region not allowed": (
        ('  account_id: "222222222222"', '  account_id: "222222222222"\n  region: us-west-2'),
        [f"{S}:12:11: datalake_account.region: region 'us-west-2' is not in organization.allowed_regions {REGIONS}"],
    ),
    "home region not allowed": (
        ("  home_region: eu-west-1", "  home_region: eu-north-1"),
        [
            f"{S}:5:16: organization.home_region: home region 'eu-north-1' must also be listed in "
            "organization.allowed_regions"
        ],
    ),
    # -- e-mail and networks ------------------------------------------------------------
    "owner e-mail invalid": (
        ("owners: [hr@acme.example]", "owners: [hr.acme.example]"),
        [f"{S}:44:14: silos[1].owners[0]: 'hr.acme.example' is not a valid e-mail address"],
    ),
    "silo e-mail invalid": (
        ("email: aws-hr@acme.example", "email: aws-hr@acme"),
        [f"{S}:43:12: silos[1].email: 'aws-hr@acme' is not a valid e-mail address"],
    ),
    "CIDR with host bits set": (
        ("[203.0.113.0/24]", "[203.0.113.7/24]"),
        [
            f"{S}:24:25: silos[0].ingestion.sftp.allowed_cidrs[0]: '203.0.113.7/24' is not a valid CIDR block: "
            "203.0.113.7/24 has host bits set (did you mean 203.0.113.0/24?)"
        ],
    ),
    "CIDR that is not an address": (
        ("[203.0.113.0/24]", "[203.0.113.0/24, nope]"),
        [
            f"{S}:24:41: silos[0].ingestion.sftp.allowed_cidrs[1]: 'nope' is not a valid CIDR block: "
            "'nope' does not appear to be an IPv4 or IPv6 network"
        ],
    ),
    "SFTP enabled, allowed_cidrs missing": (
        ("        allowed_cidrs: [203.0.113.0/24]\n", ""),
        [f"{S}:23:9: silos[0].ingestion.sftp.allowed_cidrs: {SFTP_NO_CIDRS}"],
    ),
    "SFTP enabled, allowed_cidrs empty": (
        ("        allowed_cidrs: [203.0.113.0/24]", "        allowed_cidrs: []"),
        [f"{S}:24:24: silos[0].ingestion.sftp.allowed_cidrs: {SFTP_NO_CIDRS}"],
    ),
    # -- flows: columns, keys, partitions -------------------------------------------------
    "key not a declared column": (
        ("keys: [order_id]", "keys: [order_id, id]"),
        [f"{S}:34:26: silos[0].flows[0].keys[1]: 'id' is not a declared column"],
    ),
    "key on the built-in ingest_date": (
        ("keys: [order_id]", "keys: [ingest_date]"),
        [
            f"{S}:34:16: silos[0].flows[0].keys[0]: 'ingest_date' is not a declared column (ingest_date is a "
            "built-in partition, not part of the records; keys must be columns)"
        ],
    ),
    "partition not a declared column": (
        ("partition_by: [ingest_date]", "partition_by: [ingest_date, day]"),
        [f"{S}:41:37: silos[0].flows[1].partition_by[1]: 'day' is not a declared column or a built-in (ingest_date)"],
    ),
    "key of a complex type": (
        ("keys: [order_id]", "keys: [tags]"),
        [
            f"{S}:34:16: silos[0].flows[0].keys[0]: 'tags' has the complex type array<string>; "
            "keys may only name columns of primitive types"
        ],
    ),
    "partition of a complex type": (
        (
            "partition_by: [ingest_date]",
            "partition_by: [report_id, ingest_date]",
            "{name: report_id, type: string}",
            '{name: report_id, type: "struct<a:int>"}',
        ),
        [
            f"{S}:41:24: silos[0].flows[1].partition_by[0]: 'report_id' has the complex type struct<a:int>; "
            "partition_by may only name columns of primitive types"
        ],
    ),
    "decimal precision out of range": (
        ('{name: amount, type: "decimal(12,2)"}', '{name: amount, type: "decimal(40,2)"}'),
        [
            f"{S}:32:34: silos[0].flows[0].columns[1].type: invalid column type 'decimal(40,2)': "
            "decimal precision must be 1..38, got 40 at position 7 of 'decimal(40,2)'"
        ],
    ),
    "type from another SQL dialect": (
        ('{name: amount, type: "decimal(12,2)"}', '{name: amount, type: "long"}'),
        [
            f"{S}:32:34: silos[0].flows[0].columns[1].type: invalid column type 'long': "
            "unknown type 'long' at position 0 of 'long' (did you mean 'bigint'?)"
        ],
    ),
    "unbalanced complex type": (
        ('{name: tags, type: "array<string>"}', '{name: tags, type: "array<string"}'),
        [
            f"{S}:33:32: silos[0].flows[0].columns[2].type: invalid column type 'array<string': "
            "unbalanced '<' (missing '>') at position 5 of 'array<string'"
        ],
    ),
    "map with a complex key": (
        ('{name: tags, type: "array<string>"}', '{name: tags, type: "map<array<int>,string>"}'),
        [
            f"{S}:33:32: silos[0].flows[0].columns[2].type: invalid column type 'map<array<int>,string>': "
            "map key must be a primitive type, got 'array<int>' at position 4 of 'map<array<int>,string>'"
        ],
    ),
    "duplicate column": (
        ('{name: amount, type: "decimal(12,2)"}', '{name: order_id, type: "decimal(12,2)"}'),
        [f"{S}:32:20: silos[0].flows[0].columns[1].name: duplicate column 'order_id'"],
    ),
    # -- flows: schedules (the expression rules themselves are in test_schedule.py) ----------
    "rate with a singular unit for 2": (
        ("schedule: rate(1 hour)", "schedule: rate(2 hour)"),
        [
            f"{S}:35:19: silos[0].flows[0].schedule: invalid schedule 'rate(2 hour)': "
            "write rate(2 hours): EventBridge wants the singular unit only for 1"
        ],
    ),
    "cron hour out of range": (
        ("schedule: rate(1 hour)", "schedule: cron(0 25 * * ? *)"),
        [
            f"{S}:35:19: silos[0].flows[0].schedule: invalid schedule 'cron(0 25 * * ? *)': "
            "cron hours: 25 is outside 0-23"
        ],
    ),
    # -- flows: source, format, buffer, channels ---------------------------------------------
    "api flow with format csv": (
        ("        source: api", "        source: api\n        format: csv"),
        [f"{S}:30:17: silos[0].flows[0].format: api flows receive JSON records; remove format or set it to json"],
    ),
    "api flow with a buffer under 64 MB": (
        ("        source: api", "        source: api\n        buffer: {mb: 32}"),
        [
            f"{S}:30:22: silos[0].flows[0].buffer.mb: buffer of 32 MB is too small: Firehose converts api flows "
            "to Parquet, which needs a buffer of at least 64 MB"
        ],
    ),
    "csv options on a non-csv flow": (
        ("        source: api", "        source: api\n        csv: {delimiter: ';'}"),
        [f"{S}:30:14: silos[0].flows[0].csv: csv options are only meaningful with format: csv"],
    ),
    "sftp flow without SFTP enabled": (
        ("        enabled: true\n        allowed_cidrs", "        enabled: false\n        allowed_cidrs"),
        [
            f"{S}:37:17: silos[0].flows[1].source: flow receives files by SFTP, but this silo's "
            "ingestion.sftp.enabled is not true; enable it or change the source"
        ],
    ),
    "upload flow without web upload enabled": (
        (
            "        source: sftp",
            "        source: upload",
            "web_upload:\n        enabled: true",
            "web_upload:\n        enabled: false",
        ),
        [
            f"{S}:37:17: silos[0].flows[1].source: flow receives files by web upload, but this silo's "
            "ingestion.web_upload.enabled is not true; enable it or change the source"
        ],
    ),
    # -- cross references and AWS limits ---------------------------------------------------
    "analytics consumer names an unknown silo": (
        ("silos: all", "silos: [sales, hrr]"),
        [f"{S}:16:20: analytics[0].silos[1]: unknown silo 'hrr' (did you mean 'hr'?); declared silos: hr, sales"],
    ),
    "silo name too long for its buckets once prefixed": (
        ("  - name: hr", "  - name: human-resources-and-talent-acquisition"),
        [
            f"{S}:42:11: silos[1].name: name too long: the processed bucket would be "
            "'acme-human-resources-and-talent-acquisition-processed-000000000000-euw1' (71 characters, AWS allows 63); "
            "shorten the silo name by at least 8 characters"
        ],
    ),
    "31-character silo name: one over the bucket limit": (
        ("  - name: hr", "  - name: " + "h" * 31),
        [
            f"{S}:42:11: silos[1].name: name too long: the processed bucket would be "
            f"'acme-{'h' * 31}-processed-000000000000-euw1' (64 characters, AWS allows 63); "
            "shorten the silo name by at least 1 character"
        ],
    ),
    "flow name too long for its role once prefixed": (
        ("      - name: reports", "      - name: reports_from_all_the_partners_of_the_company"),
        [
            f"{S}:36:15: silos[0].flows[1].name: name too long: "
            "the flow 'reports_from_all_the_partners_of_the_company' "
            "role would be 'silolake-sales-reports_from_all_the_partners_of_the_company-firehose' (68 characters, "
            "AWS allows 64); shorten the flow name (or the silo name) by at least 4 characters"
        ],
    ),
    "reserved tag prefix silolake:": (
        ("    cost-center: data", "    cost-center: data\n    silolake:silo: x"),
        [
            f"{S}:10:5: organization.tags.silolake:silo: tag key 'silolake:silo' uses a reserved prefix "
            "(aws:, silolake:); silolake and AWS set those themselves"
        ],
    ),
    "reserved tag prefix aws: in any case": (
        ("    cost-center: data", "    cost-center: data\n    AWS:foo: x"),
        [
            f"{S}:10:5: organization.tags.AWS:foo: tag key 'AWS:foo' uses a reserved prefix "
            "(aws:, silolake:); silolake and AWS set those themselves"
        ],
    ),
    "flow named like the SFTP status folder": (
        ("      - name: reports", "      - name: status"),
        [
            f"{S}:36:15: silos[0].flows[1].name: 'status' is reserved: SFTP partners see their status records "
            "in the folder /status, beside one folder per flow; give the flow another name"
        ],
    ),
    "GovCloud region beside commercial ones: one partition per organization": (
        ("allowed_regions: [eu-west-1, eu-central-1]", "allowed_regions: [eu-west-1, us-gov-west-1]"),
        [
            f"{S}:6:32: organization.allowed_regions[1]: region 'us-gov-west-1' is in the aws-us-gov partition "
            "but the home region 'eu-west-1' is in aws: an AWS organization holds accounts of one partition only, "
            "so every allowed region must be in aws"
        ],
    ),
    "China region": (
        ("allowed_regions: [eu-west-1, eu-central-1]", "allowed_regions: [cn-north-1, eu-west-1]"),
        [
            f"{S}:6:21: organization.allowed_regions[0]: region 'cn-north-1' is in the aws-cn partition, which "
            "silolake refuses: the China regions are a separate partition run by local operators: accounts are "
            "opened apart from AWS, public endpoints need an ICP filing, endpoints end in amazonaws.com.cn, and "
            "CloudFront, which the partner pages use, is served only with an ICP-licensed domain. Use regions of "
            "the commercial 'aws' or the 'aws-us-gov' partition"
        ],
    ),
}


@pytest.mark.parametrize("pairs, expected", CASES.values(), ids=list(CASES))
def test_rule(problems, pairs: tuple[str, ...], expected: list[str]) -> None:
    assert problems(mutate(*pairs)) == expected


VALID_VARIANTS = {
    "partition by a declared primitive column": ("partition_by: [ingest_date]", "partition_by: [report_id]"),
    "partition by a column and ingest_date": ("partition_by: [ingest_date]", "partition_by: [report_id, ingest_date]"),
    "cron schedule": ("schedule: rate(1 hour)", "schedule: cron(0 6 ? * MON-FRI *)"),
    "IPv6 and open CIDRs": ("[203.0.113.0/24]", "[2001:db8::/32, 0.0.0.0/0]"),
    "upload flow with web upload enabled": ("        source: sftp", "        source: upload"),
    "api flow at the 64 MB minimum": (
        "        source: api",
        "        source: api\n        buffer: {seconds: 60, mb: 64}",
    ),
    "api flow saying format json": ("        source: api", "        source: api\n        format: json"),
    "explicit silo region that is allowed": ("  - name: hr", "  - name: hr\n    region: eu-central-1"),
    "analytics list of silos": ("silos: all", "silos: [sales, hr]"),
    "yes/no booleans": ("web_upload:\n        enabled: true", "web_upload:\n        enabled: yes"),
    "30-character silo name (the bucket limit)": ("  - name: hr", "  - name: " + "h" * 30),
}


@pytest.mark.parametrize("pairs", VALID_VARIANTS.values(), ids=list(VALID_VARIANTS))
def test_valid_variants(problems, pairs: tuple[str, ...]) -> None:
    assert problems(mutate(*pairs)) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "the catalog is empty; start from the example silos.yaml in the repository"),
        ("# nothing but a comment\n", "the catalog is empty; start from the example silos.yaml in the repository"),
        (
            "- version: 1\n- silos: []\n",
            "the catalog must be a mapping with version, organization, datalake_account and silos keys, got a list",
        ),
        (
            "just some text\n",
            "the catalog must be a mapping with version, organization, datalake_account and silos keys, got a string",
        ),
        (
            "42\n",
            "the catalog must be a mapping with version, organization, datalake_account and silos keys, "
            "got a whole number",
        ),
    ],
    ids=["empty", "comment only", "list", "string", "number"],
)
def test_document_that_is_not_a_catalog(problems, text: str, expected: str) -> None:
    assert problems(text) == [f"{S}:1:1: (document): {expected}"]


def test_merge_keys_may_override_what_they_merge(problems, catalog_dir: Path) -> None:
    reports = (
        "      - name: reports\n        source: sftp\n        format: csv\n        columns:\n"
        "          - {name: report_id, type: string}\n        partition_by: [ingest_date]\n"
    )
    text = mutate(
        "      - name: orders\n",
        "      - &orders\n        name: orders\n",
        reports,
        "      - <<: *orders\n        name: orders_hourly\n        schedule: rate(2 hours)\n",
    )
    assert problems(text) == []
    flows = load_catalog(catalog_dir / "silos.yaml").silo("sales").flows
    assert [(f.name, f.source, f.schedule, f.keys) for f in flows] == [
        ("orders", "api", "rate(1 hour)", ("order_id",)),
        ("orders_hourly", "api", "rate(2 hours)", ("order_id",)),
    ]


def test_unknown_silo_message_stays_short_in_a_large_catalog(problems) -> None:
    hr = "  - name: hr\n    email: aws-hr@acme.example\n    owners: [hr@acme.example]\n"
    many = "".join(
        f"  - name: team-{n:02}\n    email: team-{n:02}@acme.example\n    owners: [a@acme.example]\n" for n in range(20)
    )
    assert problems(mutate(hr, hr + many, "silos: all", "silos: [team-19x]")) == [
        f"{S}:16:13: analytics[0].silos[0]: unknown silo 'team-19x' (did you mean 'team-19'?); declared silos: "
        "hr, sales, team-00, team-01, team-02, team-03, team-04, team-05, ... (22 in all)"
    ]


# -- custom Glue jobs (paths resolve against the catalog's directory) ---------------------------


def job_catalog(job: str) -> str:
    return mutate("schedule: rate(1 hour)", f"schedule: rate(1 hour)\n        job: {job}")


def test_custom_job_that_exists_is_valid(problems, catalog_dir: Path) -> None:
    (catalog_dir / "glue_src" / "jobs").mkdir()
    (catalog_dir / "glue_src" / "jobs" / "orders.py").write_text("print('etl')\n")
    assert problems(job_catalog("glue_src/jobs/orders.py")) == []


def test_custom_job_missing(problems, catalog_dir: Path) -> None:
    target = catalog_dir.resolve() / "glue_src" / "nope.py"
    assert problems(job_catalog("glue_src/nope.py")) == [
        f"{S}:36:14: silos[0].flows[0].job: custom job 'glue_src/nope.py' does not exist (looked for {target})"
    ]


@pytest.mark.parametrize("job", ["../evil.py", "/etc/passwd", "glue_src/../outside.py", "lambda_src/x.py"])
def test_custom_job_outside_glue_src(problems, catalog_dir: Path, job: str) -> None:
    (catalog_dir / "outside.py").write_text("")  # existing but still outside glue_src/
    assert problems(job_catalog(job)) == [
        f"{S}:36:14: silos[0].flows[0].job: custom job '{job}' must be a path under glue_src/ "
        "(e.g. glue_src/jobs/my_job.py)"
    ]


def test_custom_job_not_python(problems, catalog_dir: Path) -> None:
    (catalog_dir / "glue_src" / "job.sh").write_text("echo\n")
    assert problems(job_catalog("glue_src/job.sh")) == [
        f"{S}:36:14: silos[0].flows[0].job: custom job 'glue_src/job.sh' must be a Python (.py) Glue script"
    ]


# -- accounts.lock.json (written by bootstrap; problems are located in the lock file) -----------

L = "accounts.lock.json"
ORG_IDS = (
    '"org_id": "o-abcdefghij", "root_id": "r-ab12", "datalake_ou_id": "ou-ab12-abcdefgh", '
    '"silos_ou_id": "ou-ab12-abcdefgi", "analytics_ou_id": "ou-ab12-abcdefgj"'
)


@pytest.mark.parametrize(
    "lock, expected",
    [
        (
            '{"version": 1, "accounts": {\n',
            [
                f"{L}:2:1: (document): YAML syntax error: did not find expected node "
                "content (while parsing a flow node started on line 2)"
            ],
        ),
        (
            '{"version": 2, "accounts": {}}\n',
            [f"{L}:1:13: version: not a version 1 lock file; regenerate it with `silolake bootstrap`"],
        ),
        ("[1, 2]\n", [f"{L}:1:1: version: not a version 1 lock file; regenerate it with `silolake bootstrap`"]),
        ('{"version": 1, "accounts": ["hr"]}\n', [f"{L}:1:28: accounts: must be a mapping of silo name to account id"]),
        (
            '{\n  "version": 1,\n  "accounts": {"hr": "12345"}\n}\n',
            [f"{L}:3:22: accounts.hr: '12345' is not a 12-digit account id"],
        ),
        (
            '{\n  "version": 1,\n  "accounts": {},\n  "organization": {'
            + ORG_IDS.replace("o-abcdefghij", "o-bad")
            + "}\n}\n",
            [f"{L}:4:30: organization.org_id: missing or malformed org_id: 'o-bad'"],
        ),
        (
            '{\n  "version": 1,\n  "accounts": {},\n  "organization": "o-abcdefghij"\n}\n',
            [f"{L}:4:19: organization: must be a mapping of organization ids"],
        ),
    ],
    ids=[
        "bad json",
        "wrong version",
        "not a mapping",
        "accounts not a mapping",
        "malformed account id",
        "malformed org id",
        "organization not a mapping",
    ],
)
def test_lock_file_problems_are_located_in_the_lock_file(problems, lock: str, expected: list[str]) -> None:
    assert problems(MINIMAL, lock=lock) == expected


def test_lock_and_catalog_problems_are_reported_together(problems) -> None:
    lock = '{"version": 1, "accounts": {"hr": "12345"}}\n'
    assert problems(mutate("version: 1", "version: 3"), lock=lock) == [
        f"{L}:1:35: accounts.hr: '12345' is not a 12-digit account id",
        f"{S}:1:10: version: unsupported catalog version 3; this silolake reads version 1",
    ]
    assert problems("version: [\n", lock=lock) == [
        f"{L}:1:35: accounts.hr: '12345' is not a 12-digit account id",
        f"{S}:2:1: (document): YAML syntax error: did not find expected node content "
        "(while parsing a flow node started on line 2)",
    ]


def test_lock_file_not_utf8(problems, catalog_dir: Path) -> None:
    (catalog_dir / L).write_bytes(b"\xff\xfe{}")
    assert problems(MINIMAL) == [
        f"{L}:1:1: (document): not UTF-8 text: byte 0xff (invalid start byte); save the file as UTF-8"
    ]


def test_lock_account_of_an_email_only_silo_must_be_unique(problems) -> None:
    lock = '{"version": 1, "accounts": {"hr": "444444444444"}}\n'
    assert problems(MINIMAL, lock=lock) == [
        f"{S}:42:11: silos[1].name: account 444444444444 is already used by silo 'sales' (line 19); {ACCOUNT_REUSED}"
    ]


def test_valid_lock_file(problems) -> None:
    lock = '{"version": 1, "accounts": {"hr": "555555555555"}, "organization": {' + ORG_IDS + "}}\n"
    assert problems(MINIMAL, lock=lock) == []


# -- reporting ----------------------------------------------------------------------------------


def test_every_problem_is_reported_in_position_order(problems) -> None:
    text = mutate("version: 1", "version: 3", "  - name: hr", "  - name: sales", "keys: [order_id]", "keys: [id]")
    assert problems(text) == [
        f"{S}:1:10: version: unsupported catalog version 3; this silolake reads version 1",
        f"{S}:34:16: silos[0].flows[0].keys[0]: 'id' is not a declared column",
        f"{S}:42:11: silos[1].name: duplicate silo name 'sales' (already used on line 18)",
    ]


def test_values_with_newlines_stay_on_one_line(problems) -> None:
    [problem] = problems(mutate("owners: [hr@acme.example]", 'owners: ["hr\\n@acme.example"]'))
    assert problem == f"{S}:44:14: silos[1].owners[0]: 'hr\\n@acme.example' is not a valid e-mail address"
