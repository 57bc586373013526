"""Silo storage: key, zone buckets, data safety, sharing on processed only, name limits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from silolake.aws import names
from silolake.catalog import CatalogError, load_catalog
from silolake.constructs.storage import silo_storage
from silolake.health import check_delivery
from silolake.policy import sharing
from silolake.policy.storage import deny_foreign_encryption
from tests.conftest import Synth
from tests.iam.iam_sim import decisions

ANALYTICS_MARKERS = ("aws:PrincipalOrgPaths", "aws:PrincipalOrgID")


def _own(synth: Synth, stack: str, rtype: str) -> dict[str, dict]:
    """The silo's storage resources of ``rtype`` in ``stack``: those in the silo's own region.
    A silo outside the artifacts bucket's region also has its pipeline's key and buckets in that
    region, under an aliased provider; tests/delivery covers those."""
    return {lid: body for lid, body in synth.resources(stack, rtype).items() if "provider" not in body}


@pytest.fixture(scope="module")
def decommissioned(decommissioned_synth: Synth) -> Synth:
    assert decommissioned_synth.catalog.silo("sales").decommission
    return decommissioned_synth


def _by_bucket(synth: Synth, stack: str, rtype: str) -> dict[str, dict]:
    """Resources of ``rtype`` keyed by the logical id of the bucket they configure."""
    out = {}
    for res in _own(synth, stack, rtype).values():
        m = re.fullmatch(r"\$\{aws_s3_bucket\.(.+)\.id\}", res["bucket"])
        assert m, res["bucket"]
        out[m.group(1)] = res
    return out


def _zones(synth: Synth, silo) -> dict[str, tuple[str, dict]]:
    """zone -> (bucket logical id, bucket resource), checking names follow names.silo_bucket."""
    org = synth.catalog.organization.name
    # The partner pages' buckets (constructs/partner) and the pipeline's artifact store
    # (constructs/delivery) are not data zones.
    kinds = (*names.PARTNER_BUCKETS, names.PIPELINE_BUCKET)
    partner = {names.silo_bucket(org, silo.name, k, silo.account_id, silo.region) for k in kinds}
    by_name = {
        b["bucket"]: (lid, b)
        for lid, b in _own(synth, silo.stack_name, "aws_s3_bucket").items()
        if b["bucket"] not in partner
    }
    expected = {names.silo_bucket(org, silo.name, z, silo.account_id, silo.region): z for z in names.ZONES}
    assert set(by_name) == set(expected), "one bucket per zone, named by names.silo_bucket"
    return {zone: by_name[name] for name, zone in expected.items()}


def _policies(synth: Synth, silo) -> dict[str, dict]:
    """zone -> parsed bucket policy document."""
    policies = _by_bucket(synth, silo.stack_name, "aws_s3_bucket_policy")
    return {zone: json.loads(policies[lid]["policy"]) for zone, (lid, _) in _zones(synth, silo).items()}


def _key_policy(synth: Synth, silo) -> dict:
    keys = list(_own(synth, silo.stack_name, "aws_kms_key").values())
    assert len(keys) == 1, "one customer-managed key per silo"
    return json.loads(keys[0]["policy"])


def _assert_protected(synth: Synth) -> None:
    for silo in synth.catalog.deployable_silos:
        stack = silo.stack_name
        for zone, (_, bucket) in _zones(synth, silo).items():
            assert bucket["lifecycle"] == {"prevent_destroy": True}, (stack, zone)
            assert bucket["force_destroy"] is False, (stack, zone)
        for key in _own(synth, stack, "aws_kms_key").values():
            assert key["lifecycle"] == {"prevent_destroy": True}
            assert key["enable_key_rotation"] is True
        dbs = _own(synth, stack, "aws_glue_catalog_database").values()
        assert dbs and all(db["lifecycle"] == {"prevent_destroy": True} for db in dbs)


# --- data safety ----------------------------------------------------------------------------------


@pytest.mark.slow  # needs a synth
def test_every_data_holding_resource_is_protected(example_synth):
    assert len(example_synth.catalog.deployable_silos) >= 3
    _assert_protected(example_synth)


@pytest.mark.slow  # needs a synth
def test_decommission_keeps_the_protection(decommissioned):
    _assert_protected(decommissioned)


# --- encryption, logging, lifecycle ---------------------------------------------------------------


@pytest.mark.slow  # needs a synth
def test_data_zones_use_the_silo_key_and_logs_use_sse_s3(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        key_id = next(iter(_own(example_synth, silo.stack_name, "aws_kms_key")))
        enc = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_server_side_encryption_configuration")
        for zone, (lid, _) in _zones(example_synth, silo).items():
            rule = enc[lid]["rule"][0]
            default = rule["apply_server_side_encryption_by_default"]
            if zone == "logs":  # S3 server access logging cannot deliver to SSE-KMS buckets
                assert default == {"sse_algorithm": "AES256"} and rule["bucket_key_enabled"] is False
            else:
                assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": f"${{aws_kms_key.{key_id}.arn}}"}
                assert rule["bucket_key_enabled"] is True


@pytest.mark.slow  # needs a synth
def test_every_bucket_logs_to_the_logs_bucket(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        zones = _zones(example_synth, silo)
        logs_name = zones["logs"][1]["bucket"]
        logging = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_logging")
        assert set(logging) >= {lid for zone, (lid, _) in zones.items() if zone != "logs"}
        # Buckets beyond the zones (the partner pages') log there too, under their own prefix.
        assert {entry["target_bucket"] for entry in logging.values()} == {logs_name}
        for zone, (lid, _) in zones.items():
            if zone != "logs":
                assert (logging[lid]["target_bucket"], logging[lid]["target_prefix"]) == (logs_name, f"{zone}/")
        delivery = [s for s in _policies(example_synth, silo)["logs"]["Statement"] if s["Effect"] == "Allow"]
        assert delivery == [
            {
                "Sid": "S3ServerAccessLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{logs_name}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": silo.account_id}},
            }
        ]


@pytest.mark.slow  # needs a synth
def test_every_bucket_has_the_guardrails(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        zones = _zones(example_synth, silo)
        pab = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_public_access_block")
        versioning = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_versioning")
        ownership = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_ownership_controls")
        for lid, _ in zones.values():
            assert all(
                pab[lid][k] is True
                for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
            )
            assert versioning[lid]["versioning_configuration"]["status"] == "Enabled"
            assert ownership[lid]["rule"]["object_ownership"] == "BucketOwnerEnforced"
        for doc in _policies(example_synth, silo).values():
            assert doc["Statement"][0]["Sid"] == "DenyInsecureTransport"


def _rules(synth: Synth, silo) -> dict[str, dict[str, dict]]:
    lifecycle = _by_bucket(synth, silo.stack_name, "aws_s3_bucket_lifecycle_configuration")
    return {zone: {r["id"]: r for r in lifecycle[lid]["rule"]} for zone, (lid, _) in _zones(synth, silo).items()}


@pytest.mark.slow  # needs a synth
def test_lifecycle_follows_the_silo_storage_settings(example_synth):
    catalog = example_synth.catalog
    logistics, sales = catalog.silo("logistics"), catalog.silo("sales")
    assert logistics.storage.raw_transition_days == 90 and logistics.storage.noncurrent_version_days == 30
    assert sales.storage.raw_transition_days is None and sales.storage.noncurrent_version_days == 90
    for silo in (logistics, sales):
        rules = _rules(example_synth, silo)
        for zone, by_id in rules.items():
            assert by_id["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"] == [
                {"days_after_initiation": 7}
            ]
            assert by_id["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [
                {"noncurrent_days": silo.storage.noncurrent_version_days}
            ]
            transition = by_id.get("transition-to-infrequent-access")
            if zone == "raw" and silo.storage.raw_transition_days:
                assert transition["transition"] == [{"days": 90, "storage_class": "STANDARD_IA"}]
            else:
                assert transition is None, (silo.name, zone)
            expire = by_id.get("expire-objects")
            if zone == "athena":
                assert expire["expiration"] == [{"days": silo_storage.ATHENA_RESULTS_EXPIRE_DAYS}]
            else:
                assert expire is None, (silo.name, zone)
            status = by_id.get("expire-status")
            if zone == "dropzone":  # landing's status records, and nothing else of the dropzone
                assert status["filter"] == [{"prefix": "_status/"}]
                assert status["expiration"] == [{"days": 90}]
            else:
                assert status is None, (silo.name, zone)


@pytest.mark.slow  # needs a synth
def test_arrivals_in_pipeline_zones_reach_eventbridge(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        zones = _zones(example_synth, silo)
        notes = _by_bucket(example_synth, silo.stack_name, "aws_s3_bucket_notification")
        assert set(notes) == {zones[z][0] for z in silo_storage.EVENT_ZONES}
        assert all(n["eventbridge"] is True for n in notes.values())


# --- key policy and sharing -----------------------------------------------------------------------


def _is_analytics(statement: dict) -> bool:
    text = json.dumps(statement)
    return any(m in text for m in ANALYTICS_MARKERS)


@pytest.mark.slow  # needs a synth
def test_sharing_is_on_processed_only(example_synth):
    catalog = example_synth.catalog
    consumer_accounts = {c.account_id for c in catalog.analytics}
    shared = 0
    for silo in catalog.deployable_silos:
        policies = _policies(example_synth, silo)
        expected = sharing.processed_bucket_statements(catalog, silo)
        assert [s for s in policies["processed"]["Statement"] if _is_analytics(s)] == expected
        shared += bool(expected)
        for zone in ("dropzone", "raw", "athena", "logs"):
            text = json.dumps(policies[zone])
            assert not any(m in text for m in ANALYTICS_MARKERS), (silo.name, zone)
            assert not any(a in text for a in consumer_accounts), (silo.name, zone)
        key_statements = [s for s in _key_policy(example_synth, silo)["Statement"] if _is_analytics(s)]
        assert key_statements == sharing.processed_key_statements(catalog, silo)
        glue = [
            json.loads(p["policy"]) for p in _own(example_synth, silo.stack_name, "aws_glue_resource_policy").values()
        ]
        assert glue == [sharing.glue_catalog_policy(catalog, silo)]
    assert shared == len(catalog.deployable_silos), "every example silo has readers (the test would be vacuous)"


@pytest.mark.slow  # needs a synth
def test_key_policy_is_least_privilege(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        statements = _key_policy(example_synth, silo)["Statement"]
        sids = [s["Sid"] for s in statements if not _is_analytics(s)]
        # QuickSight's service role, for a silo with a QuickSight data source (tests/iam/test_intake.py).
        quicksight = ["QuickSightUsesKey"] if any(f.quicksight for f in silo.flows) else []
        # The silo's alarms publish to the owners' topic the key encrypts (docs/operations.md).
        alarms = ["AlarmsNotifyOwners"]
        # Scheduler encrypts what it dead-letters into the silo's health queue (docs/operations.md).
        dead_letters = ["SchedulerDeadLetters"] if check_delivery.needs_queue(silo) else []
        expected = ["AccountAdministersKeyThroughIam", "CloudWatchLogsEncryptsLogGroups", *quicksight, *alarms]
        assert sorted(sids) == sorted(expected + dead_letters)
        for s in statements:
            if _is_analytics(s):
                assert s["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
                assert s["Condition"]["StringEquals"]["kms:ViaService"]


@pytest.mark.slow  # needs a synth
def test_decommissioned_silo_shares_nothing(decommissioned):
    catalog = decommissioned.catalog
    sales = catalog.silo("sales")
    for zone, doc in _policies(decommissioned, sales).items():
        assert not any(_is_analytics(s) for s in doc["Statement"]), zone
    assert not any(_is_analytics(s) for s in _key_policy(decommissioned, sales)["Statement"])
    assert _own(decommissioned, sales.stack_name, "aws_glue_resource_policy") == {}
    # Its data plane is all still there: only sharing is revoked.
    assert len(_zones(decommissioned, sales)) == len(names.ZONES)
    # raw and processed per flow, and the silo's quality results table
    assert len(_own(decommissioned, sales.stack_name, "aws_glue_catalog_table")) == 2 * len(sales.flows) + 1
    # Other silos keep sharing.
    logistics = catalog.silo("logistics")
    assert any(_is_analytics(s) for s in _policies(decommissioned, logistics)["processed"]["Statement"])


# --- upload encryption guard ----------------------------------------------------------------------


@pytest.mark.slow  # needs a synth
def test_uploads_must_use_the_silo_key(example_synth):
    """The deny statements, evaluated by a real IAM engine with a literal key ARN."""
    account, key = "444444444444", "arn:aws:kms:eu-west-1:444444444444:key/1111-2222"
    bucket = "acme-sales-raw-444444444444-euw1"
    sales = example_synth.catalog.silo("sales")
    synthesized = [s["Sid"] for s in _policies(example_synth, sales)["raw"]["Statement"]]
    assert {"DenyNonKmsEncryption", "DenyForeignKmsKey", "DenyAwsManagedKmsKey"} <= set(synthesized)
    doc = {"Version": "2012-10-17", "Statement": deny_foreign_encryption("aws", bucket, key)}
    writer = f"arn:aws:iam::{account}:role/silolake-sales-firehose"
    identity = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
    }

    def case(name: str, **context: str) -> dict:
        return {
            "name": name,
            "principal": writer,
            "action": "s3:PutObject",
            "resource": f"arn:aws:s3:::{bucket}/f/x.parquet",
            "resourceAccount": account,
            "identityPolicies": [identity],
            "resourcePolicy": doc,
            "context": {"aws:SecureTransport": "true", **context},
        }

    got = decisions(
        [
            case("bucket default"),
            case(
                "silo key",
                **{"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": key},
            ),
            case("sse-s3", **{"s3:x-amz-server-side-encryption": "AES256"}),
            case("aws/s3 key", **{"s3:x-amz-server-side-encryption": "aws:kms"}),
            case(
                "other key",
                **{
                    "s3:x-amz-server-side-encryption": "aws:kms",
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": key.replace("1111", "9999"),
                },
            ),
        ]
    )
    assert got == {
        "bucket default": "Allowed",
        "silo key": "Allowed",
        "sse-s3": "ExplicitlyDenied",
        "aws/s3 key": "ExplicitlyDenied",
        "other key": "ExplicitlyDenied",
    }


@pytest.mark.slow  # needs a synth
def test_private_zones_deny_every_other_account(example_synth):
    """Evaluated on the synthesized policies: no allow anywhere can open a private zone."""
    sales = example_synth.catalog.silo("sales")
    policies = _policies(example_synth, sales)
    for zone, doc in policies.items():
        has = any(s["Sid"] == "DenyOtherAccounts" for s in doc["Statement"])
        assert has == (zone != "processed"), zone
    zones = {zone: lid_bucket[1]["bucket"] for zone, lid_bucket in _zones(example_synth, sales).items()}
    reader = f"arn:aws:iam::{example_synth.catalog.analytics[0].account_id}:role/bi-analyst"
    own = f"arn:aws:iam::{sales.account_id}:role/silolake-sales-pipeline"
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    # A (hypothetical) statement granting the reader everything must not get through either.
    leaked = {
        "Sid": "Leak",
        "Effect": "Allow",
        "Principal": {"AWS": reader},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::*"],
    }

    def case(name, principal, action, zone, extra=(), **kw):
        doc = dict(policies[zone], Statement=[*policies[zone]["Statement"], *extra])
        return {
            "name": name,
            "principal": principal,
            "action": action,
            "resource": f"arn:aws:s3:::{zones[zone]}/f/x",
            "resourceAccount": sales.account_id,
            "resourcePolicy": doc,
            "context": {"aws:SecureTransport": "true"},
            **kw,
        }

    cases = [
        case(f"reader {zone}", reader, "s3:GetObject", zone, [leaked], identityPolicies=[everything])
        for zone in ("dropzone", "raw", "athena", "logs")
    ]
    cases += [
        case(f"own {zone}", own, "s3:GetObject", zone, identityPolicies=[everything])
        for zone in ("dropzone", "raw", "athena", "logs")
    ]
    # S3 log delivery is a service principal (no principal account): exempt from the deny.
    delivery = case("log delivery", "logging.s3.amazonaws.com", "s3:PutObject", "logs")
    delivery["context"].update({"aws:SourceAccount": sales.account_id, "aws:PrincipalIsAWSService": "true"})
    got = decisions([*cases, delivery])
    assert got == {
        **{f"reader {z}": "ExplicitlyDenied" for z in ("dropzone", "raw", "athena", "logs")},
        **{f"own {z}": "Allowed" for z in ("dropzone", "raw", "athena", "logs")},
        "log delivery": "Allowed",
    }


# --- bucket name limits ---------------------------------------------------------------------------

NAME_CATALOG = """
version: 1
organization:
  name: {org}
  management_account_id: "111111111111"
  home_region: {region}
  allowed_regions: [{region}]
  state_bucket_prefix: tfstate
datalake_account: {{account_id: "222222222222"}}
silos:
  - name: {silo}
    account_id: "444444444444"
    owners: [a@example.com]
    flows:
      - name: f
        source: api
        columns: [{{name: id, type: string}}]
"""


def _loads(tmp: Path, org: str, region: str, silo: str) -> bool:
    path = tmp / "silos.yaml"
    path.write_text(NAME_CATALOG.format(org=org, region=region, silo=silo))
    try:
        load_catalog(path)
    except CatalogError as exc:
        assert "bucket" in str(exc), str(exc)  # rejected for the bucket name, not something else
        return False
    return True


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2", "ap-northeast-3"])
def test_longest_allowed_silo_name_fits_every_bucket(tmp_path, region):
    org = "abcdefghijkl"  # the longest organization name the schema allows (12)
    length = 2
    while _loads(tmp_path, org, region, "s" * (length + 1)):
        length += 1
    assert length > 10, "validation leaves room for useful silo names"
    silo = "s" * length
    for zone in names.ZONES:
        assert len(names.silo_bucket(org, silo, zone, "444444444444", region)) <= names.S3_BUCKET_MAX
    assert (
        max(len(names.silo_bucket(org, silo, z, "444444444444", region)) for z in names.ZONES) == names.S3_BUCKET_MAX
    ), "the limit is the bucket name"
    assert not _loads(tmp_path, org, region, silo + "s")
