"""A GovCloud organization synthesizes GovCloud ARNs everywhere (issue 23).

Two catalogs, synthesized as ``silolake synth`` does:

- the example's whole organization moved to AWS GovCloud (US) (home ``us-gov-west-1``, the
  ``logistics`` silo in ``us-gov-east-1``), built as a model: the catalog refuses its partner
  channels there (no CloudFront, ``tests/catalog/test_partitions.py``), but every construct
  must still write ARNs of the stack's partition, so every construct is synthesized here;
- a GovCloud catalog that validates (``tests/catalog/test_partitions.py``: storage-only silos),
  through ``silolake synth``: the user's path (and ``silolake validate`` of the example moved to
  GovCloud, which says, located, what GovCloud lacks).

Every ARN-shaped string of every stack (organization, datalake, silos, analytics) must start
``arn:aws-us-gov:``. Then the IAM engine evaluates GovCloud policies as Terraform delivers them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from silolake.aws import health_names, names
from silolake.policy import health_sharing
from tests.catalog.test_partitions import GOV_STORAGE_ONLY
from tests.cli.test_cli import EXAMPLE, problem_lines, silolake
from tests.conftest import Synth, synthesize_catalog
from tests.delivered import Delivery, deliver
from tests.iam.iam_sim import simulate

WEST, EAST = "us-gov-west-1", "us-gov-east-1"
GOV = "aws-us-gov"
#: An ARN as it appears in a JSON string: up to a quote, backslash, space or comma.
ARN = re.compile(r"arn:[A-Za-z0-9*-]*:[^\"\\\s,]*")
DATALAKE, SALES = "222222222222", "444444444444"


@pytest.fixture(scope="module")
def gov_synth(example_catalog, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    c = example_catalog
    org = dataclasses.replace(c.organization, home_region=WEST, allowed_regions=(WEST, EAST))
    gov = dataclasses.replace(
        c,
        organization=org,
        datalake=dataclasses.replace(c.datalake, region=WEST),
        analytics=tuple(dataclasses.replace(a, region=WEST) for a in c.analytics),
        silos=tuple(dataclasses.replace(s, region=EAST if s.name == "logistics" else WEST) for s in c.silos),
    )
    return synthesize_catalog(gov, tmp_path_factory.mktemp("govcloud") / "cdktf.out")


def _foreign_arns(synth: Synth) -> dict[str, list[str]]:
    """Stack -> the ARNs in it that are not GovCloud's."""
    found = {}
    for name in synth.stack_names:
        bad = sorted({a for a in ARN.findall(json.dumps(synth.stack(name))) if not a.startswith(f"arn:{GOV}:")})
        if bad:
            found[name] = bad
    return found


def test_every_arn_of_a_govcloud_organization_is_govcloud(gov_synth: Synth) -> None:
    kinds = {name.split("-")[0] for name in gov_synth.stack_names}
    assert kinds == {"org", "datalake", "silo", "analytics"}
    assert _foreign_arns(gov_synth) == {}
    text = "".join(json.dumps(gov_synth.stack(n)) for n in gov_synth.stack_names)
    assert "arn:aws:" not in text
    # Positive: the partition reached what each layer formats.
    for expected in (
        f"arn:{GOV}:iam::*:role/",  # SCPs (org stack)
        f"arn:{GOV}:states:::glue:startJobRun.sync",  # state machine tasks
        f"arn:{GOV}:lambda:{WEST}:165093116878:layer:",  # Powertools layer, GovCloud account
        f"arn:{GOV}:lambda:{EAST}:165087284144:layer:",
        f"arn:{GOV}:iam::{DATALAKE}:role/aws-service-role/",  # health sharing trust
        f"arn:{GOV}:glue:{WEST}:{SALES}:catalog",  # Glue resource policy (sharing)
        f"arn:{GOV}:iam::aws:policy/ReadOnlyAccess",  # GitHub plan role
        f"logs.{EAST}.amazonaws.com",  # key policies' CloudWatch Logs principal
    ):
        assert expected in text, expected


def test_silolake_synth_of_a_valid_govcloud_catalog_writes_govcloud_arns(tmp_path: Path) -> None:
    """The user's path: ``silolake synth`` validates the catalog, then writes every stack."""
    (tmp_path / "silos.yaml").write_text(GOV_STORAGE_ONLY)
    result = silolake("synth", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stacks = {p.parent.name: p.read_text() for p in (tmp_path / "out" / "stacks").glob("*/cdk.tf.json")}
    assert {name.split("-")[0] for name in stacks} == {"org", "datalake", "silo", "analytics"}
    foreign = {n: sorted({a for a in ARN.findall(t) if not a.startswith(f"arn:{GOV}:")}) for n, t in stacks.items()}
    assert {n: arns for n, arns in foreign.items() if arns} == {}
    assert f"arn:{GOV}:s3:::" in stacks["silo-sales"]


def test_silolake_validate_of_the_example_in_govcloud_says_what_govcloud_lacks(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    for old, new in (
        ("home_region: eu-west-1", f"home_region: {WEST}"),
        ("allowed_regions: [eu-west-1, eu-central-1]", f"allowed_regions: [{WEST}, {EAST}]"),
        ("region: eu-central-1", f"region: {EAST}"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    (tmp_path / "silos.yaml").write_text(text)
    result = silolake("validate", cwd=tmp_path)
    assert result.returncode == 2
    lines = problem_lines(result)  # every line located, no traceback
    assert any("delivery.pipeline.source.connection: a connection source is refused" in line for line in lines)
    assert any(".flows[0].source: 'api' flows are not available in AWS GovCloud (US)" in line for line in lines)
    assert not any("partition" in line for line in lines)  # one partition: nothing else to say


@pytest.fixture(scope="module")
def gov_delivery(gov_synth: Synth, tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    return deliver(gov_synth, tmp_path_factory.mktemp("gov-delivered"))


def test_govcloud_policies_allow_and_deny_in_the_iam_engine(gov_delivery: Delivery) -> None:
    """The health sharing role's trust (GovCloud principal ARNs, ``ArnEquals``) and the processed
    bucket's TLS guardrail, as AWS receives them, evaluated with GovCloud callers."""
    stack = "silo-sales"
    trust = gov_delivery.policy(stack, "aws_iam_role", "assume_role_policy", name=health_names.CLOUDWATCH_SHARING_ROLE)
    layout = gov_delivery.catalog.layout
    assert layout is not None
    slr = health_sharing.monitoring_principal(GOV, DATALAKE)
    sharing_role = f"arn:{GOV}:iam::{SALES}:role/{health_names.CLOUDWATCH_SHARING_ROLE}"
    slr_grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": sharing_role}],
    }

    def assume(name: str, session: str, role: str) -> dict:
        """``session`` (an STS assumed-role ARN) of ``role`` asks to assume the sharing role."""
        return {
            "name": name,
            "principal": session,
            "action": "sts:AssumeRole",
            "resource": sharing_role,
            "resourceAccount": SALES,
            "resourcePolicy": trust,
            "identityPolicies": [slr_grant],
            "context": {
                "aws:SecureTransport": "true",
                "aws:PrincipalOrgID": layout.org_id,
                "aws:PrincipalArn": role,
                "aws:PrincipalAccount": role.split(":")[4],
            },
            "autoContext": False,
        }

    bucket = names.silo_bucket("acme", "sales", "processed", SALES, WEST)
    bucket_policy = next(
        json.loads(r["policy"])
        for r in gov_delivery.resources(stack, "aws_s3_bucket_policy").values()
        if f"arn:{GOV}:s3:::{bucket}" in r["policy"]
    )
    over_http = {
        "name": "a read over plain HTTP",
        "principal": f"arn:{GOV}:iam::{SALES}:role/admin",
        "action": "s3:GetObject",
        "resource": f"arn:{GOV}:s3:::{bucket}/x.parquet",
        "resourceAccount": SALES,
        "resourcePolicy": bucket_policy,
        "identityPolicies": [
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ],
        "context": {"aws:SecureTransport": "false"},
    }
    got = {
        r["name"]: r["decision"]
        for r in simulate(
            [
                assume(
                    "the dashboard's service-linked role",
                    f"arn:{GOV}:sts::{DATALAKE}:assumed-role/{health_names.CLOUDWATCH_CROSS_ACCOUNT_SLR}/cloudwatch",
                    slr,
                ),
                assume(
                    "another role of the datalake account",
                    f"arn:{GOV}:sts::{DATALAKE}:assumed-role/admin/s",
                    f"arn:{GOV}:iam::{DATALAKE}:role/admin",
                ),
                over_http,
            ]
        )
    }
    assert got == {
        "the dashboard's service-linked role": "Allowed",
        "another role of the datalake account": "ImplicitlyDenied",
        "a read over plain HTTP": "ExplicitlyDenied",
    }


def test_the_guardrails_fit_in_govcloud_up_to_the_deploy_role_bound(example_catalog) -> None:
    """GovCloud ARNs are longer: with the longest organization name and state prefix, every SCP
    and the RCP fit with a deploy role of ``GOVCLOUD_DEPLOY_ROLE_MAX`` characters, and the chain
    overflows with one more (the bound the catalog enforces is tight)."""
    from silolake.catalog.partitions import GOVCLOUD_DEPLOY_ROLE_MAX
    from silolake.policy import chain, pipelines, scp

    def org_with(role_length: int):
        org = dataclasses.replace(
            example_catalog.organization,
            deploy_role_name="r" * role_length,
            name="o" * 12,
            state_bucket_prefix="p" * 24,
            home_region=WEST,
            allowed_regions=(WEST, EAST),
        )
        return dataclasses.replace(example_catalog, organization=org)

    worst = org_with(GOVCLOUD_DEPLOY_ROLE_MAX)
    documents = [*scp.silo_scps(worst).values(), *pipelines.datalake_scps(worst).values()]
    documents += pipelines.silos_rcps(worst).values()
    for doc in documents:
        scp.render(doc)  # raises past 5,120 characters
        assert len(scp.policy.to_json(doc)) <= scp.SCP_MAX_CHARS
    assert f"arn:{GOV}:" in scp.render(chain.chain_scp(worst))
    with pytest.raises(ValueError, match="over the AWS limit of 5120"):
        scp.render(chain.chain_scp(org_with(GOVCLOUD_DEPLOY_ROLE_MAX + 1)))
