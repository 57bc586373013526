"""Exit codes (2 usage and catalog errors, 1 AWS refusals and internal errors); reader-role check."""

from __future__ import annotations

from click.testing import CliRunner

from silolake.accounts import bootstrap as bootstrap_module
from silolake.cli import main
from tests.conftest import copy_example


def test_usage_and_catalog_errors_exit_2(tmp_path):
    assert CliRunner().invoke(main, ["validate", "--no-such-option"]).exit_code == 2
    bad = tmp_path / "silos.yaml"
    bad.write_text("version: 2\n")
    assert CliRunner().invoke(main, ["validate", str(bad)]).exit_code == 2


def test_aws_refusal_exits_1_and_an_operator_fix_exits_2(tmp_path, monkeypatch):
    path = copy_example(tmp_path)

    def refuse(*_args, **_kwargs):
        raise bootstrap_module.AwsRefused("AWS refused CreateBucket: AccessDenied: not allowed")

    monkeypatch.setattr(bootstrap_module, "run", refuse)
    result = CliRunner().invoke(main, ["bootstrap", str(path)])
    assert result.exit_code == 1 and "AccessDenied" in result.output

    def not_applied(*_args, **_kwargs):
        raise bootstrap_module.NotApplied("organizational unit 'DataLake' not found: apply the org stack first")

    monkeypatch.setattr(bootstrap_module, "run", not_applied)
    assert CliRunner().invoke(main, ["bootstrap", str(path)]).exit_code == 2


def test_internal_error_exits_1(tmp_path, monkeypatch):
    path = copy_example(tmp_path)
    monkeypatch.setattr("silolake.catalog.not_built.not_built_notices", lambda _c: 1 / 0)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)


def test_reader_roles_are_looked_up_before_the_policy_is_attached(example_synth):
    """A missing reader role fails `terraform plan` (data source lookup), not the apply."""
    for consumer in example_synth.catalog.analytics:
        stack = example_synth.stack(consumer.stack_name)
        lookups = stack["data"]["aws_iam_role"]
        assert sorted(d["name"] for d in lookups.values()) == sorted(consumer.reader_roles)
        for attachment in stack["resource"]["aws_iam_role_policy_attachment"].values():
            if "github-plan" in attachment["role"]:
                continue  # the OIDC plan role's ReadOnlyAccess (delivery.github), not a reader grant
            [dep] = attachment["depends_on"]
            assert lookups[dep.split(".")[-1]]["name"] == attachment["role"]
