"""Master leg of the AWS-native pipeline: the synthesized datalake stack, its roles proved with
the IAM engine, the buildspec it runs, and what removing it from the catalog does."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml

from silolake.aws import delivery_names, names
from silolake.aws.versions import AWS_PROVIDER_VERSION, TERRAFORM_VERSION
from silolake.cli import main
from silolake.constructs.delivery.master_pipeline import BUILDSPEC
from silolake.policy import sharing

from ..iam.iam_sim import simulate
from ..stackjson import bucket_policy, points_to, policy_json, ref_name, resources

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DL = "222222222222"
RELEASE = "acme-silolake-release"


@pytest.fixture(scope="module")
def stack(example_synth) -> dict:
    return example_synth.stack("datalake")


def one(stack: dict, rtype: str) -> tuple[str, dict]:
    [(logical, attrs)] = resources(stack, rtype).items()
    return logical, attrs


def role_named(stack: dict, name: str) -> dict:
    [role] = [r for r in resources(stack, "aws_iam_role").values() if r["name"] == name]
    return role


def with_role_arns(stack: dict, doc: dict) -> dict:
    """``doc`` of a delivered stack with the ARNs of the stack's roles (known after apply:
    ``tfref:aws_iam_role.x.arn``) replaced by the ARN AWS gives them (the datalake account,
    the role's name)."""
    text = json.dumps(doc)
    for logical, role in resources(stack, "aws_iam_role").items():
        text = text.replace(f"tfref:aws_iam_role.{logical}.arn", f"arn:aws:iam::{DL}:role/{role['name']}")
    return json.loads(text)


def inline_policy(stack: dict, role_name: str) -> dict:
    logical = next(k for k, r in resources(stack, "aws_iam_role").items() if r["name"] == role_name)
    [pol] = [p for p in resources(stack, "aws_iam_role_policy").values() if points_to(p["role"], logical, role_name)]
    return policy_json(pol["policy"])


def test_pipeline_is_v2_sourced_from_the_connection_and_builds_once(stack):
    _, pipeline = one(stack, "aws_codepipeline")
    assert pipeline["name"] == RELEASE and pipeline["pipeline_type"] == "V2"
    assert [s["name"] for s in pipeline["stage"]] == ["Source", "BuildAndPublish"]
    [source] = pipeline["stage"][0]["action"]
    conn_logical, conn = one(stack, "aws_codeconnections_connection")
    assert conn["provider_type"] == "GitHub" and len(conn["name"]) <= 32
    assert source["provider"] == "CodeStarSourceConnection"
    assert source["configuration"]["ConnectionArn"] == f"${{aws_codeconnections_connection.{conn_logical}.arn}}"
    assert source["configuration"]["FullRepositoryId"] == "acme/datalake"
    assert source["configuration"]["BranchName"] == "main"
    assert source["configuration"]["OutputArtifactFormat"] == "CODEBUILD_CLONE_REF"
    [build] = pipeline["stage"][1]["action"]
    assert build["provider"] == "CodeBuild" and build["configuration"] == {"ProjectName": RELEASE}
    assert build["input_artifacts"] == source["output_artifacts"]
    [trigger] = pipeline["trigger"]
    assert trigger["git_configuration"]["push"][0]["branches"]["includes"] == ["main"]
    [store] = pipeline["artifact_store"]
    assert store["location"] == names.account_bucket("acme", "release", DL, "eu-west-1")
    assert store["encryption_key"]["type"] == "KMS"


def test_build_reads_the_buildspec_file_with_pinned_versions_and_encrypted_logs(stack):
    _, project = one(stack, "aws_codebuild_project")
    assert project["source"] == {"type": "CODEPIPELINE", "buildspec": "delivery/buildspec/master.yml"}
    assert (REPO / BUILDSPEC).is_file()
    env = {v["name"]: v["value"] for v in project["environment"]["environment_variable"]}
    assert env["TERRAFORM_VERSION"] == TERRAFORM_VERSION and env["AWS_PROVIDER_VERSION"] == AWS_PROVIDER_VERSION
    assert env["PUBLISHER_ROLE_ARN"] == f"arn:aws:iam::{DL}:role/silolake-datalake-publisher"
    assert project["environment"]["privileged_mode"] is False
    assert project["logs_config"]["s3_logs"]["status"] == "DISABLED"
    groups = {g["name"]: g for g in resources(stack, "aws_cloudwatch_log_group").values()}
    group = groups[f"/aws/codebuild/{RELEASE}"]
    assert group["kms_key_id"] and group["retention_in_days"] >= 365
    assert group["lifecycle"]["prevent_destroy"] is True
    assert ref_name(project["logs_config"]["cloudwatch_logs"]["group_name"]) in resources(
        stack, "aws_cloudwatch_log_group"
    )
    buckets = {b["bucket"]: b for b in resources(stack, "aws_s3_bucket").values()}
    assert buckets[names.account_bucket("acme", "release", DL, "eu-west-1")]["lifecycle"]["prevent_destroy"] is True


@pytest.mark.parametrize(
    ("role", "service", "source_arn"),
    [
        (
            "silolake-datalake-release-build",
            "codebuild.amazonaws.com",
            f"arn:aws:codebuild:eu-west-1:{DL}:project/{RELEASE}",
        ),
        ("silolake-datalake-release", "codepipeline.amazonaws.com", f"arn:aws:codepipeline:eu-west-1:{DL}:{RELEASE}"),
    ],
)
def test_service_trusts_are_pinned_to_the_account_and_the_resource(stack, role, service, source_arn):
    [statement] = policy_json(role_named(stack, role)["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": service}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": DL},
        "ArnEquals": {"aws:SourceArn": source_arn},
    }
    assert not role.endswith("pipeline")  # the artifacts bucket admits silolake-*-pipeline roles


@pytest.fixture(scope="module")
def decisions(example_delivery) -> dict[str, str]:
    """The datalake stack's policies as Terraform delivers them."""
    stack = example_delivery.stack("datalake")
    catalog = example_delivery.catalog
    layout = catalog.layout
    bucket = names.account_bucket("acme", "artifacts", DL, "eu-west-1")
    artifacts_policy = bucket_policy(stack, bucket)
    publisher = role_named(stack, "silolake-datalake-publisher")
    publisher_arn = sharing.publisher_role_arn(catalog)
    build_arn = f"arn:aws:iam::{DL}:role/silolake-datalake-release-build"
    build_policy = inline_policy(stack, "silolake-datalake-release-build")
    silos = catalog.deployable_silos
    dl_path = [f"{layout.org_id}/{layout.root_id}/{layout.datalake_ou_id}/"]
    broad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    cases = []

    def case(name, principal, action, resource, policies, paths, resource_policy=artifacts_policy, account=DL):
        cases.append(
            {
                "name": name,
                "principal": principal,
                "action": action,
                "resource": resource,
                "resourceAccount": account,
                "identityPolicies": policies,
                "resourcePolicy": resource_policy,
                "context": {
                    "aws:SecureTransport": "true",
                    "aws:PrincipalOrgID": layout.org_id,
                    "aws:PrincipalOrgPaths": paths,
                },
            }
        )

    mirror = f"arn:aws:s3:::{bucket}/{delivery_names.provider_mirror_key(AWS_PROVIDER_VERSION)}"
    wheel = f"arn:aws:s3:::{bucket}/{delivery_names.silolake_wheel_key('0123456789abcdef0123456789abcdef01234567')}"
    for silo in silos:
        role = f"arn:aws:iam::{silo.account_id}:role/{names.silo_role(silo.name, 'pipeline')}"
        own = f"arn:aws:s3:::{bucket}/{delivery_names.stack_bundle_key(silo.account_id, silo.stack_name)}"
        case(f"{silo.name} reads own bundle", role, "s3:GetObjectVersion", own, [broad], [layout.silos_path])
        case(f"{silo.name} reads mirror", role, "s3:GetObject", mirror, [broad], [layout.silos_path])
        case(f"{silo.name} writes mirror", role, "s3:PutObject", mirror, [broad], [layout.silos_path])
        case(f"{silo.name} reads the silolake wheel", role, "s3:GetObject", wheel, [broad], [layout.silos_path])
        case(f"{silo.name} writes the silolake wheel", role, "s3:PutObject", wheel, [broad], [layout.silos_path])
        for other in silos:
            if other is not silo:
                theirs = f"arn:aws:s3:::{bucket}/{delivery_names.stack_bundle_key(other.account_id, other.stack_name)}"
                case(
                    f"{silo.name} reads {other.name}'s bundle",
                    role,
                    "s3:GetObject",
                    theirs,
                    [broad],
                    [layout.silos_path],
                )
    consumer = catalog.analytics[0]
    outsider = f"arn:aws:iam::{consumer.account_id}:role/silolake-x-pipeline"
    case(
        "analytics-OU pipeline-named role reads mirror",
        outsider,
        "s3:GetObject",
        mirror,
        [broad],
        [layout.analytics_path],
    )
    case("publisher writes mirror", publisher_arn, "s3:PutObject", mirror, [broad], dl_path)
    case(
        "analytics-OU pipeline-named role reads the wheel",
        outsider,
        "s3:GetObject",
        wheel,
        [broad],
        [layout.analytics_path],
    )
    case("publisher writes the wheel", publisher_arn, "s3:PutObject", wheel, [broad], dl_path)
    # The build role: it may assume the publisher, and it cannot write a bundle itself.
    trust = with_role_arns(stack, policy_json(publisher["assume_role_policy"]))
    case("build assumes publisher", build_arn, "sts:AssumeRole", publisher_arn, [build_policy], dl_path, trust)
    other_role = f"arn:aws:iam::{DL}:role/silolake-datalake-release"
    any_role = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    case("pipeline role assumes publisher", other_role, "sts:AssumeRole", publisher_arn, [any_role], dl_path, trust)
    target = f"arn:aws:s3:::{bucket}/{delivery_names.stack_bundle_key(silos[0].account_id, silos[0].stack_name)}"
    case("build writes a bundle itself", build_arn, "s3:PutObject", target, [broad], dl_path)
    return {r["name"]: r["decision"] for r in simulate(cases)}


def test_silo_pipelines_read_their_own_bundle_key_and_the_provider_mirror_only(example_synth, decisions):
    silos = example_synth.catalog.deployable_silos
    for silo in silos:
        assert decisions[f"{silo.name} reads own bundle"] == "Allowed"
        assert decisions[f"{silo.name} reads mirror"] == "Allowed"
        assert decisions[f"{silo.name} writes mirror"] == "ExplicitlyDenied"
        assert decisions[f"{silo.name} reads the silolake wheel"] == "Allowed"
        assert decisions[f"{silo.name} writes the silolake wheel"] == "ExplicitlyDenied"
        for other in silos:
            if other is not silo:
                assert decisions[f"{silo.name} reads {other.name}'s bundle"] != "Allowed"
    assert decisions["analytics-OU pipeline-named role reads mirror"] != "Allowed"
    assert decisions["publisher writes mirror"] == "Allowed"
    assert decisions["analytics-OU pipeline-named role reads the wheel"] != "Allowed"
    assert decisions["publisher writes the wheel"] == "Allowed"


def test_only_the_build_role_may_become_the_publisher_and_only_the_publisher_writes(decisions):
    assert decisions["build assumes publisher"] == "Allowed"
    assert decisions["pipeline role assumes publisher"] != "Allowed"
    assert decisions["build writes a bundle itself"] == "ExplicitlyDenied"


# --- the buildspec --------------------------------------------------------------------------------

CODEBUILD_VARIABLES = {"CODEBUILD_RESOLVED_SOURCE_VERSION", "CODEBUILD_SRC_DIR"}


def buildspec() -> dict:
    return yaml.safe_load((REPO / BUILDSPEC).read_text())


def commands(spec: dict) -> list[str]:
    return [c for phase in spec["phases"].values() for c in phase.get("commands", [])]


def test_buildspec_is_a_codebuild_0_2_file_running_test_synth_bundle_mirror_publish():
    spec = buildspec()
    assert spec["version"] == 0.2
    assert list(spec["phases"]) == ["install", "pre_build", "build"]
    assert spec["phases"]["install"]["runtime-versions"]["python"] == 3.11
    assert all(p.get("on-failure") == "ABORT" for p in spec["phases"].values())  # never publish after a failure
    text = "\n".join(commands(spec))
    order = [
        "python3 scripts/dev.py test",
        ".venv/bin/silolake synth",
        '.venv/bin/silolake bundle --out cdktf.out --dest bundles --commit "${REVISION}"',
        "providers mirror -platform=linux_amd64",
        ".venv/bin/silolake mirror-provider",
        "pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .",
        ".venv/bin/silolake publish-wheel",
        '--commit "${REVISION}" --only-changed',
        ".venv/bin/silolake publish ",  # bundles last: what their builds install is there first
    ]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions)
    assert "python3 scripts/dev.py test" in (REPO / "README.md").read_text()  # the README's test command


def test_buildspec_calls_real_silolake_commands_and_options():
    calls = [re.search(r"\.venv/bin/silolake ([a-z-]+)(.*)", c) for c in commands(buildspec())]
    calls = [m for m in calls if m]
    assert {m.group(1) for m in calls} == {"synth", "bundle", "publish", "mirror-provider", "publish-wheel"}
    for m in calls:
        command = main.commands[m.group(1)]
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", m.group(2)):
            assert option in known, f"silolake {m.group(1)} has no {option}"
    publish_call = next(m.group(0) for m in calls if m.group(1) == "publish")
    assert "--only-changed" in publish_call and '--role-arn "${PUBLISHER_ROLE_ARN}"' in publish_call


def test_every_variable_the_buildspec_reads_is_set(stack):
    spec = buildspec()
    _, project = one(stack, "aws_codebuild_project")
    defined = set(spec["env"]["variables"]) | CODEBUILD_VARIABLES
    defined |= {v["name"] for v in project["environment"]["environment_variable"]}
    defined |= {v for c in commands(spec) for v in re.findall(r"^export ([A-Z_]+)=", c)}
    used = {v for c in commands(spec) for v in re.findall(r"\$\{([A-Z_]+)\}", c)}
    assert used <= defined, used - defined
    assert {"TERRAFORM_VERSION", "ARTIFACTS_BUCKET", "PUBLISHER_ROLE_ARN"} <= used


def test_an_s3_source_is_read_by_the_pipeline_role_and_started_by_an_eventbridge_rule(example_synth, tmp_path):
    from silolake.synth.app import synthesize

    base = example_synth.catalog
    assert base.master_pipeline is not None
    spec = dataclasses.replace(
        base.master_pipeline,
        connection_provider=None,
        repository=None,
        branch=None,
        s3_bucket="acme-sources",
        s3_key="datalake/main.zip",
    )
    synthesize(dataclasses.replace(base, master_pipeline=spec), tmp_path, stacks=["datalake"])
    stack = json.loads((tmp_path / "stacks" / "datalake" / "cdk.tf.json").read_text())
    assert "aws_codeconnections_connection" not in stack["resource"]
    _, pipeline = one(stack, "aws_codepipeline")
    [source] = pipeline["stage"][0]["action"]
    assert source["provider"] == "S3"
    assert source["configuration"] == {
        "S3Bucket": "acme-sources",
        "S3ObjectKey": "datalake/main.zip",
        "PollForSourceChanges": "false",
    }
    assert not pipeline.get("trigger")
    # The datalake stack's other rules forward bundle events to silo accounts (silo leg).
    [(logical, rule)] = [
        (k, r) for k, r in resources(stack, "aws_cloudwatch_event_rule").items() if k.startswith("release")
    ]
    pattern = json.loads(rule["event_pattern"])
    assert pattern["detail"] == {"bucket": {"name": ["acme-sources"]}, "object": {"key": ["datalake/main.zip"]}}
    [target] = [t for t in resources(stack, "aws_cloudwatch_event_target").values() if logical in t["rule"]]
    assert target["arn"].startswith("${aws_codepipeline.") and target["rule"].startswith("${aws_cloudwatch_event_rule.")
    events = role_named(stack, "silolake-datalake-release-events")
    [trust] = policy_json(events["assume_role_policy"])["Statement"]
    assert trust["Condition"]["ArnEquals"] == {"aws:SourceArn": f"arn:aws:events:eu-west-1:{DL}:rule/{rule['name']}"}
    reads = inline_policy(stack, "silolake-datalake-release")["Statement"]
    assert {
        "Sid": "ReadSourceObject",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": "arn:aws:s3:::acme-sources/datalake/main.zip",
    } in reads
    build = inline_policy(stack, "silolake-datalake-release-build")["Statement"]
    assert not [s for s in build if "acme-sources" in json.dumps(s)]  # the build gets the source from the store
