"""Structural tests of the synthesized ``datalake`` stack (artifacts bucket, key, publisher)."""

from __future__ import annotations

import json

import pytest

from silolake.aws import names
from silolake.catalog.model import Catalog
from tests.stackjson import bucket_key_policy, bucket_named, bucket_policy, ref_name

pytestmark = pytest.mark.slow  # needs the session synth


def artifacts_bucket(catalog: Catalog) -> str:
    dl = catalog.datalake
    return names.account_bucket(catalog.organization.name, "artifacts", dl.account_id, dl.region)


@pytest.fixture(scope="module")
def stack(example_synth):
    return example_synth.stack("datalake")


def test_artifacts_bucket_is_versioned_kms_encrypted_and_protected(example_synth, stack):
    name = artifacts_bucket(example_synth.catalog)
    logical, bucket = bucket_named(stack, name)
    assert bucket["force_destroy"] is False and bucket["lifecycle"]["prevent_destroy"] is True
    [versioning] = [
        v for v in stack["resource"]["aws_s3_bucket_versioning"].values() if ref_name(v["bucket"]) == logical
    ]
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    [block] = [
        b for b in stack["resource"]["aws_s3_bucket_public_access_block"].values() if ref_name(b["bucket"]) == logical
    ]
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    key = bucket_key_policy(stack, name)  # raises unless SSE-KMS with a key of this stack
    assert key["Statement"]
    [logging] = [g for g in stack["resource"]["aws_s3_bucket_logging"].values() if ref_name(g["bucket"]) == logical]
    assert logging["target_bucket"] == names.account_bucket("acme", "artifacts-logs", "222222222222", "eu-west-1")


def test_artifacts_key_rotates_and_is_protected(stack):
    [key] = stack["resource"]["aws_kms_key"].values()
    assert key["enable_key_rotation"] is True and key["lifecycle"]["prevent_destroy"] is True


def test_artifacts_bucket_policy_grants_silo_pipelines_by_ou_path(example_synth, stack):
    catalog = example_synth.catalog
    name = artifacts_bucket(catalog)
    doc = bucket_policy(stack, name)
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    deny = by_sid["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    expected_path = catalog.layout.silos_path + "*"
    assert expected_path == "o-acme12ab34/r-ac12/ou-ac12-1datalak/ou-ac12-2silos00/*"
    reads = [s for s in doc["Statement"] if s["Effect"] == "Allow" and s["Principal"] == {"AWS": "*"}]
    # Objects and listing of the own prefix; the bucket's versioning and location (CodePipeline's S3 source).
    assert {a for s in reads for a in s["Action"]} == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:GetBucketVersioning",
    }
    for s in reads:
        assert s["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"}
        assert s["Condition"]["ForAnyValue:StringLike"] == {"aws:PrincipalOrgPaths": expected_path}
        assert s["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": "o-acme12ab34"}
    # Nothing names a silo account: accounts join the OU without a policy change.
    text = json.dumps(doc)
    assert not any(s.account_id in text for s in catalog.deployable_silos)


def test_artifacts_key_policy_decrypt_for_silo_pipelines_via_s3(example_synth, stack):
    doc = bucket_key_policy(stack, artifacts_bucket(example_synth.catalog))
    [grant] = [s for s in doc["Statement"] if s.get("Sid") == "SiloPipelinesDecryptBundles"]
    assert grant["Principal"] == {"AWS": "*"} and grant["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert grant["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"}
    assert grant["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"
    assert grant["Condition"]["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"].endswith("ou-ac12-2silos00/*")


def test_publisher_role_is_assumable_only_by_the_deploy_role_and_the_release_build_and_scoped(example_synth, stack):
    roles = {r["name"]: (k, r) for k, r in stack["resource"]["aws_iam_role"].items()}
    logical, role = roles["silolake-datalake-publisher"]
    trust = json.loads(role["assume_role_policy"])
    assert [s["Principal"] for s in trust["Statement"]] == [
        {"AWS": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
        {"AWS": f"${{aws_iam_role.{roles['silolake-datalake-release-build'][0]}.arn}}"},  # the master build
    ]
    assert all("Condition" not in s for s in trust["Statement"])
    [inline] = [p for p in stack["resource"]["aws_iam_role_policy"].values() if logical in p["role"]]
    doc = json.loads(inline["policy"])
    name = artifacts_bucket(example_synth.catalog)
    for s in doc["Statement"]:
        assert "*" not in "".join(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        assert all(name in r or r.startswith("${aws_kms_key.") for r in resources)


def test_outputs_name_the_artifacts_bucket(example_synth, stack):
    outputs = stack["output"]
    assert outputs["artifacts_bucket"]["value"] == artifacts_bucket(example_synth.catalog)
    assert outputs["artifacts_bucket_arn"]["value"] == f"arn:aws:s3:::{artifacts_bucket(example_synth.catalog)}"


def test_without_organization_ids_the_stack_synthesizes_and_shares_nothing(example_synth, tmp_path):
    """Before the first bootstrap (no OU ids) the org stack must still be appliable, so the
    datalake stack synthesizes too - failing closed: only the publisher may touch the bucket."""
    import dataclasses

    from silolake.stacks.datalake import DatalakeStack
    from silolake.synth.app import make_app

    catalog = dataclasses.replace(example_synth.catalog, layout=None)
    app = make_app(str(tmp_path))
    DatalakeStack(app, catalog=catalog)
    app.synth()
    stack = json.loads((tmp_path / "stacks" / "datalake" / "cdk.tf.json").read_text())
    doc = bucket_policy(stack, artifacts_bucket(catalog))
    assert [s["Sid"] for s in doc["Statement"] if s["Effect"] == "Allow"] == ["PublisherWritesBundles"]
    key = bucket_key_policy(stack, artifacts_bucket(catalog))
    assert "aws:PrincipalOrgPaths" not in json.dumps(key)
