"""The silo leg of the AWS-native pipeline, in the synthesized example stacks.

The example has ``sales`` (eu-west-1, ``pipeline.approval: true``), ``facilities``
(eu-west-1, no approval) and ``logistics`` (eu-central-1: the artifacts bucket is in
eu-west-1, and an S3 source must be in the pipeline's region, so its pipeline runs in
eu-west-1, in its own account, and deploys to eu-central-1).
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch

import pytest
import yaml

from silolake.aws import delivery_names, names, versions
from silolake.constructs.delivery import silo_pipeline
from silolake.policy import delivery, sharing
from silolake.synth.feedback import synth_notices

from ..stackjson import policy_json, resources


def only(found: dict) -> dict:
    assert len(found) == 1, sorted(found)
    return next(iter(found.values()))


def silo(catalog, name: str):
    return next(s for s in catalog.deployable_silos if s.name == name)


def artifacts_bucket(catalog) -> str:
    dl = catalog.datalake
    return names.account_bucket(catalog.organization.name, "artifacts", dl.account_id, dl.region)


def pipeline_of(stack: dict) -> dict:
    return only(resources(stack, "aws_codepipeline"))


def stages(pipeline: dict) -> dict[str, list[dict]]:
    return {s["name"]: s["action"] for s in pipeline["stage"]}


def role_named(stack: dict, name: str) -> dict:
    return only({k: v for k, v in resources(stack, "aws_iam_role").items() if v["name"] == name})


def test_pipeline_is_v2_sourced_from_its_own_bundle_key(example_synth):
    sales = silo(example_synth.catalog, "sales")
    pipeline = pipeline_of(example_synth.stack("silo-sales"))
    assert pipeline["name"] == delivery_names.silo_pipeline("sales")
    assert pipeline["pipeline_type"] == "V2"
    [source] = stages(pipeline)["Source"]
    assert (source["category"], source["owner"], source["provider"]) == ("Source", "AWS", "S3")
    assert source["configuration"] == {
        "S3Bucket": artifacts_bucket(example_synth.catalog),
        "S3ObjectKey": delivery_names.stack_bundle_key(sales.account_id, "silo-sales"),
        "PollForSourceChanges": "false",  # events start it (polling stops after 30 idle days)
    }
    [store] = pipeline["artifact_store"]
    assert store["location"] == names.silo_bucket("acme", "sales", "pipeline", sales.account_id, sales.region)
    assert store["encryption_key"]["type"] == "KMS" and "aws_kms_key.storage_key" in store["encryption_key"]["id"]


def test_plan_stage_gets_the_exact_object_version_the_source_saw(example_synth):
    [plan] = stages(pipeline_of(example_synth.stack("silo-sales")))["Plan"]
    env = json.loads(plan["configuration"]["EnvironmentVariables"])
    assert env == [{"name": "BUNDLE_VERSION_ID", "value": "#{SourceVariables.VersionId}", "type": "PLAINTEXT"}]
    assert plan["input_artifacts"] == ["bundle"] and plan["output_artifacts"] == ["planned"]


@pytest.mark.parametrize(("name", "approval"), [("sales", True), ("facilities", False)])
def test_manual_approval_follows_the_catalog_flag(example_synth, name, approval):
    assert silo(example_synth.catalog, name).pipeline_approval is approval
    order = [s["name"] for s in pipeline_of(example_synth.stack(f"silo-{name}"))["stage"]]
    assert order == (["Source", "Plan", "Approve", "Apply"] if approval else ["Source", "Plan", "Apply"])
    if approval:
        [review] = stages(pipeline_of(example_synth.stack(f"silo-{name}")))["Approve"]
        assert (review["category"], review["provider"]) == ("Approval", "Manual")


def test_a_silo_outside_the_artifacts_region_gets_its_pipeline_in_the_artifacts_region(example_synth):
    """Issue 20, item 7: every silo deploys itself. The logistics pipeline (and every resource of
    it: key, access-log bucket, store, projects, trigger) uses the stack's provider for the
    artifacts bucket's region; the stack itself (state, provider, data) stays in eu-central-1."""
    catalog = example_synth.catalog
    logistics = silo(catalog, "logistics")
    artifacts_region = catalog.datalake.region
    assert logistics.region != artifacts_region
    stack = example_synth.stack("silo-logistics")
    providers = {p.get("alias"): p["region"] for p in stack["provider"]["aws"]}
    alias = artifacts_region.replace("-", "_")
    assert providers == {None: logistics.region, alias: artifacts_region}
    assert stack["terraform"]["backend"]["s3"]["region"] == logistics.region
    pipeline = only(resources(stack, "aws_codepipeline"))
    assert pipeline["provider"] == f"aws.{alias}"
    [bundle] = stages(pipeline)["Source"]
    assert bundle["configuration"]["S3Bucket"] == names.account_bucket(
        "acme", "artifacts", catalog.datalake.account_id, artifacts_region
    )
    pipeline_resources = [
        (rtype, body)
        for rtype, bodies in stack["resource"].items()
        for lid, body in bodies.items()
        if body["//"]["metadata"]["path"].startswith("silo-logistics/pipeline/")
    ]
    assert len(pipeline_resources) > 20
    assert all(body.get("provider") == f"aws.{alias}" for _, body in pipeline_resources)
    others = [
        b
        for bodies in stack["resource"].values()
        for b in bodies.values()
        if b not in [x for _, x in pipeline_resources]
    ]
    assert all("provider" not in b for b in others)
    key_aliases = {b["name"] for _, b in pipeline_resources if _ == "aws_kms_alias"}
    assert key_aliases == {f"alias/{delivery_names.silo_pipeline_key_alias('logistics')}"}
    env = {
        v["name"]: v["value"]
        for p in resources(stack, "aws_codebuild_project").values()
        for v in p["environment"]["environment_variable"]
    }
    assert env["ARTIFACTS_REGION"] == artifacts_region
    assert not any("no pipeline" in n for n in synth_notices(catalog))


def test_bundle_events_reach_every_silo_bus_in_the_pipeline_region(example_synth):
    datalake = example_synth.stack("datalake")
    targets = {
        t["arn"] for t in resources(datalake, "aws_cloudwatch_event_target").values() if t["target_id"] == "silo-bus"
    }
    region = example_synth.catalog.datalake.region
    assert targets == {
        f"arn:aws:events:{region}:{s.account_id}:event-bus/default" for s in example_synth.catalog.deployable_silos
    }


def test_codebuild_projects_pin_terraform_provider_and_buildspec(example_synth, example_delivery):
    delivered = {p["name"]: p for p in example_delivery.resources("silo-sales", "aws_codebuild_project").values()}
    sales = silo(example_synth.catalog, "sales")
    projects = {p["name"]: p for p in resources(example_synth.stack("silo-sales"), "aws_codebuild_project").values()}
    assert sorted(projects) == [delivery_names.silo_build_project("sales", s) for s in ("apply", "plan")]
    for stage in ("plan", "apply"):
        project = projects[delivery_names.silo_build_project("sales", stage)]
        env = {v["name"]: v["value"] for v in project["environment"]["environment_variable"]}
        assert env["TERRAFORM_VERSION"] == versions.TERRAFORM_VERSION
        assert env["PROVIDER_MIRROR_KEY"] == delivery_names.provider_mirror_key(versions.AWS_PROVIDER_VERSION)
        assert env["BUNDLE_KEY"] == delivery_names.stack_bundle_key(sales.account_id, "silo-sales")
        assert env["ARTIFACTS_BUCKET"] == artifacts_bucket(example_synth.catalog)
        assert env["SILOLAKE_STACK"] == "silo-sales"
        assert env["SILOLAKE_WHEEL_PREFIX"] == delivery_names.SILOLAKE_WHEEL_PREFIX  # + the bundle's commit + ".whl"
        assert not any("silolake==" in v for v in env.values())  # no package index needed, no version in the stack
        assert project["environment"]["image"] == silo_pipeline.BUILD_IMAGE
        assert project["environment"]["privileged_mode"] is False
        # The file exactly, as Terraform delivers it: its shell ${VARIABLE}s reach CodeBuild as written.
        assert delivered[project["name"]]["source"] == {
            "type": "CODEPIPELINE",
            "buildspec": silo_pipeline.buildspec(stage),
        }
        assert "aws_kms_key.storage_key" in project["encryption_key"]
        assert project["logs_config"]["cloudwatch_logs"]["group_name"] == "/aws/codebuild/silolake-sales-deploy"
    # The provider version the mirror holds is the one every stack requires.
    required = example_synth.stack("silo-sales")["terraform"]["required_providers"]["aws"]["version"]
    assert required == versions.AWS_PROVIDER_VERSION


def test_roles_names_match_the_bucket_pattern_and_trusts_are_pinned(example_synth):
    sales = silo(example_synth.catalog, "sales")
    stack = example_synth.stack("silo-sales")
    pattern = sharing.silo_pipeline_role_pattern("aws")
    build = role_named(stack, names.silo_role("sales", "pipeline"))
    release = role_named(stack, names.silo_role("sales", "release-pipeline"))
    trigger = role_named(stack, names.silo_role("sales", "pipeline-trigger"))
    arn = lambda role: f"arn:aws:iam::{sales.account_id}:role/{role['name']}"  # noqa: E731
    assert fnmatch(arn(build), pattern) and fnmatch(arn(release), pattern)
    assert not fnmatch(arn(trigger), pattern)  # reads nothing in the artifacts bucket
    expected = {
        build["name"]: (
            "codebuild.amazonaws.com",
            sorted(delivery.project_arn(sales.account_id, sales.region, "sales", s) for s in ("apply", "plan")),
        ),
        release["name"]: ("codepipeline.amazonaws.com", delivery.pipeline_arn(sales.account_id, sales.region, "sales")),
        trigger["name"]: (
            "events.amazonaws.com",
            f"arn:aws:events:{sales.region}:{sales.account_id}:rule/silolake-sales-deploy",
        ),
    }
    for role in (build, release, trigger):
        [statement] = policy_json(role["assume_role_policy"])["Statement"]
        service, source_arn = expected[role["name"]]
        assert statement["Principal"] == {"Service": service}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": sales.account_id},
            "ArnLike": {"aws:SourceArn": source_arn},
        }
    # The build role: AdministratorAccess, bounded.
    attachments = [
        a
        for a in resources(stack, "aws_iam_role_policy_attachment").values()
        if "build_role" in a["role"].replace("-", "_")
    ]
    assert [a["policy_arn"] for a in attachments] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    boundary = only(
        {
            k: v
            for k, v in resources(stack, "aws_iam_policy").items()
            if v["name"] == delivery_names.silo_pipeline_boundary("sales")
        }
    )
    assert boundary["path"] == "/silolake/"  # the silos-OU SCP lets only the deploy role change it
    assert "pipeline_boundary" in build["permissions_boundary"]


def test_data_holding_pipeline_resources_are_protected(example_synth):
    sales = silo(example_synth.catalog, "sales")
    stack = example_synth.stack("silo-sales")
    store = names.silo_bucket("acme", "sales", "pipeline", sales.account_id, sales.region)
    [bucket] = [b for b in resources(stack, "aws_s3_bucket").values() if b["bucket"] == store]
    assert bucket["lifecycle"]["prevent_destroy"] is True
    [group] = [
        g
        for g in resources(stack, "aws_cloudwatch_log_group").values()
        if g["name"] == "/aws/codebuild/silolake-sales-deploy"
    ]
    assert group["lifecycle"]["prevent_destroy"] is True and group["kms_key_id"]


def test_new_bundles_start_the_pipeline_through_events(example_synth):
    catalog = example_synth.catalog
    sales = silo(catalog, "sales")
    stack = example_synth.stack("silo-sales")
    [rule] = [r for r in resources(stack, "aws_cloudwatch_event_rule").values() if r["name"] == "silolake-sales-deploy"]
    assert rule["state"] == "ENABLED"
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "account": [catalog.datalake.account_id],
        "detail": {
            "bucket": {"name": [artifacts_bucket(catalog)]},
            "object": {"key": [{"prefix": delivery_names.stack_bundle_key(sales.account_id, "silo-sales")}]},
        },
    }
    bus = only(resources(stack, "aws_cloudwatch_event_bus_policy"))
    [grant] = policy_json(bus["policy"])["Statement"]
    assert grant["Principal"] == {"AWS": f"arn:aws:iam::{catalog.datalake.account_id}:root"}
    assert grant["Action"] == "events:PutEvents"
    # The datalake account forwards each silo account's prefix (every silo has a pipeline).
    dl = example_synth.stack("datalake")
    forwards = {r["name"]: r for r in resources(dl, "aws_cloudwatch_event_rule").values()}
    piped = list(catalog.deployable_silos)
    assert sorted(forwards) == sorted(delivery_names.bundle_forward_rule(s.account_id) for s in piped)
    for s in piped:
        pattern = json.loads(forwards[delivery_names.bundle_forward_rule(s.account_id)]["event_pattern"])
        assert pattern["detail"]["object"]["key"] == [{"prefix": f"bundles/{s.account_id}/"}]
    targets = sorted(t["arn"] for t in resources(dl, "aws_cloudwatch_event_target").values())
    region = catalog.datalake.region  # every pipeline's bus is in the artifacts bucket's region
    assert targets == sorted(f"arn:aws:events:{region}:{s.account_id}:event-bus/default" for s in piped)


def test_decommission_disables_the_pipeline_trigger_and_keeps_everything(decommissioned_synth, example_synth):
    stack = decommissioned_synth.stack("silo-sales")
    assert resources(stack, "aws_codepipeline")  # kept
    [rule] = [r for r in resources(stack, "aws_cloudwatch_event_rule").values() if r["name"] == "silolake-sales-deploy"]
    assert rule["state"] == "DISABLED"
    sales = silo(decommissioned_synth.catalog, "sales")
    [forward] = [
        r
        for r in resources(decommissioned_synth.stack("datalake"), "aws_cloudwatch_event_rule").values()
        if r["name"] == delivery_names.bundle_forward_rule(sales.account_id)
    ]
    assert forward["state"] == "DISABLED"
    before = {t: set(resources(example_synth.stack("silo-sales"), t)) for t in ("aws_codepipeline", "aws_s3_bucket")}
    assert all(set(resources(stack, t)) == ids for t, ids in before.items())


# --- buildspec files ----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", silo_pipeline.STAGES)
def test_buildspecs_are_version_0_2_and_call_real_commands(stage):
    from silolake.cli import main

    spec = yaml.safe_load(silo_pipeline.buildspec(stage))
    assert spec["version"] == 0.2
    commands = [c for phase in spec["phases"].values() for c in phase["commands"]]
    text = "\n".join(commands)
    # Pinned Terraform, checked; the provider from the mirror only.
    assert "releases.hashicorp.com/terraform/${TERRAFORM_VERSION}" in text and "sha256sum -c" in text
    assert "$PROVIDER_MIRROR_KEY" in text and "filesystem_mirror" in text and "direct" not in text
    assert "terraform init" in text
    used = {c.split()[1] for c in commands if c.startswith("silolake ")}
    for command in used:
        assert command in main.commands, f"silo-{stage}.yml calls `silolake {command}`, which does not exist"
    if stage == "plan":
        assert used == {"verify-bundle", "render", "plan-summary"}
        assert '--version-id "$BUNDLE_VERSION_ID"' in text
        assert "terraform plan -input=false -no-color -out=plan.tfplan" in text
        assert spec["artifacts"]["base-directory"] == "stack"
    else:
        assert "terraform apply -input=false -no-color plan.tfplan" in text


def test_every_variable_the_buildspecs_read_is_set_by_the_project(example_synth):
    project = next(iter(resources(example_synth.stack("silo-sales"), "aws_codebuild_project").values()))
    provided = {v["name"] for v in project["environment"]["environment_variable"]}
    provided |= {"BUNDLE_VERSION_ID", "CODEBUILD_SRC_DIR", "TF_MIRROR_DIR", "TF_CLI_CONFIG_FILE"}
    for stage in silo_pipeline.STAGES:
        text = silo_pipeline.buildspec(stage)
        body = text[text.index("version: 0.2") :]
        read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", body))
        assert read <= provided, f"silo-{stage}.yml reads unset {sorted(read - provided)}"


def test_the_plan_build_installs_the_wheel_of_the_commit_its_bundle_names(tmp_path):
    """Run the plan buildspec's own shell lines that find the commit in the bundle's manifest and
    give the downloaded wheel the file name pip requires (S3 downloads replaced by copies)."""
    import shutil
    import subprocess
    import zipfile

    install = yaml.safe_load(silo_pipeline.buildspec("plan"))["phases"]["install"]["commands"]
    commit_line = next(c for c in install if c.startswith("commit="))
    wheel_line = next(c for c in install if c.startswith("wheel="))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as z:
        z.writestr("manifest.json", json.dumps({"format": 1, "stack": "silo-sales", "commit": "abc1234"}))
        z.writestr("cdk.tf.json", "{}")
    with zipfile.ZipFile(tmp_path / "built.whl", "w") as z:
        z.writestr("silolake/__init__.py", "")
        z.writestr("silolake-0.7.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: silolake\nVersion: 0.7.1\n")
    shutil.copy(tmp_path / "built.whl", tmp_path / "silolake.whl")  # what `aws s3api get-object` wrote
    script = "\n".join(["set -euo pipefail", commit_line, wheel_line, 'echo "$commit $wheel"'])
    script = script.replace("/tmp/", f"{tmp_path}/")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["abc1234", f"{tmp_path}/silolake-0.7.1-py3-none-any.whl"]
    assert (tmp_path / "silolake-0.7.1-py3-none-any.whl").read_bytes() == (tmp_path / "built.whl").read_bytes()
