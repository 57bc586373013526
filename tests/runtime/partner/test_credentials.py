"""Credential life cycle against moto: create, session, rotate, revoke, expiry and sweep."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta

import boto3
from cfnlint.api import ManualArgs, lint
from partner_access import model, template
from partner_access.config import Config
from partner_access.store import ORPHAN_GRACE

from .conftest import STAFF, World, env_for

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def test_create_session_revoke_then_session_fails(world: World) -> None:
    start = world.clock()
    password = world.create("bob", channels=("sftp", "upload"), cidrs=["203.0.113.0/28"])

    # The stack holds the role: path, boundary, inline policy, username tag.
    iam, cfn, sm = world.clients["iam"], world.clients["cloudformation"], world.clients["secretsmanager"]
    role = iam.get_role(RoleName="partner-bob")["Role"]
    assert role["Path"] == "/silolake/partner/"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == world.cfg.permissions_boundary_arn
    assert {"Key": model.TAG_USERNAME, "Value": "bob"} in role["Tags"]
    inline = iam.get_role_policy(RoleName="partner-bob", PolicyName=template.INLINE_POLICY)["PolicyDocument"]
    if isinstance(inline, str):  # moto's CloudFormation stores the Python repr of the document
        inline = ast.literal_eval(inline)
    assert {s["Sid"] for s in inline["Statement"]} == {
        "UploadOwnPrefix",
        "ReadOwnStatus",
        "ListOwnPrefix",
        "KeyThroughS3",
    }
    # No flows named: every flow of the granted channels, on the stack and on the role (landing reads it).
    assert {"Key": model.TAG_FLOWS, "Value": "reseller_reports price_lists web_orders"} in role["Tags"]
    stack = cfn.describe_stacks(StackName="acme-sales-partner-bob")["Stacks"][0]
    tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
    assert tags[model.TAG_CHANNELS] == "sftp upload"
    assert tags[model.TAG_FLOWS] == "reseller_reports price_lists web_orders"
    assert tags[model.TAG_CIDRS] == "203.0.113.0/28"
    assert tags[model.TAG_CREATED_BY] == STAFF["email"]
    assert tags[model.TAG_EXPIRES] == model.isoformat(start + timedelta(days=7))
    # The secret beside it: silo key, tagged with the stack id, a hash and never the password.
    secret = sm.describe_secret(SecretId="silolake/partner/bob")
    assert secret["KmsKeyId"] == world.cfg.kms_key_arn
    assert {"Key": model.TAG_STACK_ID, "Value": stack["StackId"]} in secret["Tags"]
    stored = sm.get_secret_value(SecretId="silolake/partner/bob")["SecretString"]
    assert password not in stored and json.loads(stored)["password_hash"].startswith("scrypt$")

    status, body = world.session("bob", password)
    assert status == 200, body
    assert body["bucket"] == world.cfg.dropzone_bucket and body["prefix"] == "bob/" and body["region"] == "eu-west-1"
    assert body["channels"] == ["upload"]
    assert set(body["credentials"]) == {"access_key_id", "secret_access_key", "session_token", "expiration"}

    # The temporary credentials upload into the partner's prefix (moto does not enforce IAM,
    # the confinement itself is proven with the IAM engine in test_policies.py).
    keys = body["credentials"]
    s3 = boto3.client(
        "s3",
        region_name="eu-west-1",
        aws_access_key_id=keys["access_key_id"],
        aws_secret_access_key=keys["secret_access_key"],
        aws_session_token=keys["session_token"],
    )
    assert [(f["name"], f["prefix"]) for f in body["flows"]] == [("web_orders", "bob/web_orders/")]
    s3.put_object(Bucket=world.cfg.dropzone_bucket, Key="bob/web_orders/2026-05-01.csv", Body=b"order_id\no-1\n")
    assert world.clients["s3"].list_objects_v2(Bucket=world.cfg.dropzone_bucket, Prefix="bob/")["KeyCount"] == 1

    assert world.admin("DELETE", "/credentials/bob") == (200, {"username": "bob", "revoked": True})
    assert world.session("bob", password) == (401, {"message": "invalid credentials"})
    assert world.sftp("bob", password) == {}
    assert world.admin("GET", "/credentials")[1]["credentials"] == []
    assert sm.list_secrets()["SecretList"] == []
    assert world.admin("DELETE", "/credentials/bob")[0] == 404


def test_session_assumes_the_partner_role_with_source_identity(world: World, monkeypatch) -> None:
    password = world.create("carol", channels=("api",))
    calls = []
    sts = world.clients["sts"]
    real = sts.assume_role

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(sts, "assume_role", spy)
    status, body = world.session("carol", password)
    assert status == 200
    [call] = calls
    assert call["RoleArn"] == f"arn:aws:iam::{world.cfg.account_id}:role/silolake/partner/partner-carol"
    assert call["SourceIdentity"] == "carol" and call["DurationSeconds"] == 3600
    session_policy = json.loads(call["Policy"])
    # api only: the web session gets the flow APIs and no S3 at all.
    assert [s["Sid"] for s in session_policy["Statement"]] == ["InvokeFlowApis"]
    assert body["channels"] == ["api"]


def test_rotate_replaces_the_password(world: World) -> None:
    old = world.create("dave", channels=("upload",))
    status, body = world.admin("POST", "/credentials/dave/rotate")
    assert status == 200 and body["credential"]["username"] == "dave"
    new = body["password"]
    assert new != old
    assert world.session("dave", old)[0] == 401
    assert world.session("dave", new)[0] == 200
    assert world.admin("POST", "/credentials/nobody/rotate")[0] == 404


def test_expired_credential_is_refused_before_the_sweep_and_then_swept(world: World) -> None:
    password = world.create("erin", channels=("sftp", "upload"), expiry_days=2)
    world.create("frank", channels=("upload",), expiry_days=30)
    world.clock.advance(days=2)
    assert world.session("erin", password)[0] == 401
    assert world.sftp("erin", password) == {}
    status, body = world.admin("POST", "/credentials/erin/rotate")
    assert (status, body["message"]) == (409, "the credential erin has expired: revoke it and create a new one")
    listed = {c["username"]: c for c in world.admin("GET", "/credentials")[1]["credentials"]}
    assert listed["erin"]["expired"] is True and listed["frank"]["expired"] is False

    done = world.store.sweep()
    assert done["expired"] == ["erin"]
    assert [c["username"] for c in world.admin("GET", "/credentials")[1]["credentials"]] == ["frank"]
    names = [s["Name"] for s in world.clients["secretsmanager"].list_secrets()["SecretList"]]
    assert names == ["silolake/partner/frank"]
    # The same username can be issued again once swept.
    world.create("erin", channels=("upload",))


def test_sweeper_removes_leftovers_of_interrupted_operations(world: World) -> None:
    world.create("gina", channels=("upload",))
    world.create("hank", channels=("upload",))
    sm = world.clients["secretsmanager"]
    # A delete interrupted after the secret went: the stack is left without a secret.
    sm.delete_secret(SecretId="silolake/partner/gina", ForceDeleteWithoutRecovery=True)
    # A delete interrupted after the stack went: the secret is left without a stack.
    world.clients["cloudformation"].delete_stack(StackName="acme-sales-partner-hank")
    assert world.store.sweep() == {"expired": [], "failed": [], "orphan": ["hank"]}  # gina: still in grace
    world.clock.advance(seconds=ORPHAN_GRACE.total_seconds() + 60)
    assert world.store.sweep() == {"expired": [], "failed": [], "orphan": ["gina"]}
    assert sm.list_secrets()["SecretList"] == []


def test_rendered_templates_pass_cfn_lint() -> None:
    """Every channel combination, linted in one template (cfn-lint loads its rules per call)."""
    cfg = Config.from_env(env_for())
    combined: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "Outputs": {}}
    variants = [("sftp",), ("upload",), ("api",), ("sftp", "upload", "api"), ("sftp", "api"), ("upload", "api")]
    for index, channels in enumerate(variants):
        cidrs = ("203.0.113.0/24",) if index % 2 else ()
        credential = model.Credential(
            username=f"ivy-{index}",
            channels=channels,
            cidrs=cidrs,
            expires_at=NOW,
            created_at=NOW,
            created_by="x",
            password_hash="scrypt$1$1$1$AA$AA",
        )
        rendered = template.render(cfg, credential)
        assert "scrypt$" not in json.dumps(rendered)  # the hash never goes into a template
        assert list(rendered["Resources"]) == ["PartnerRole"]
        combined["Resources"][f"PartnerRole{index}"] = rendered["Resources"]["PartnerRole"]
        combined["Outputs"][f"RoleArn{index}"] = {"Value": {"Fn::GetAtt": [f"PartnerRole{index}", "Arn"]}}
    matches = lint(json.dumps(combined), config=ManualArgs(regions=["eu-west-1"]))
    assert matches == [], [str(m) for m in matches]


def test_list_shows_metadata_only(world: World) -> None:
    password = world.create("jack", channels=("sftp",), cidrs=["198.51.100.0/25"])
    status, body = world.admin("GET", "/credentials")
    assert status == 200
    [item] = body["credentials"]
    assert item == {
        "username": "jack",
        "channels": ["sftp"],
        "cidrs": ["198.51.100.0/25"],
        "expires_at": model.isoformat(world.clock() + timedelta(days=7)),
        "created_at": model.isoformat(world.clock()),
        "created_by": STAFF["email"],
        "flows": ["reseller_reports", "price_lists"],
        "status": "CREATE_COMPLETE",
        "expired": False,
    }
    assert password not in json.dumps(body) and "scrypt" not in json.dumps(body)
