"""Plan summary on hand-written ``terraform show -json`` fixtures, one per flag.

The fixtures in ``plans/`` follow the documented JSON plan format
(https://developer.hashicorp.com/terraform/internals/json-format); no plan was run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.review.plan_summary import (
    DESTROYS,
    GROWS,
    REPLACES,
    SHARING,
    PlanError,
    load_plan,
    render_markdown,
    stack_name_for,
    summarize_files,
    summarize_plan,
)

PLANS = Path(__file__).parent / "plans"


def summary(name: str):
    return summarize_plan(name, load_plan(PLANS / f"{name}.json"))


def flags(name: str) -> set[tuple[str, str]]:
    return {(f.kind, f.address) for f in summary(name).flags}


def test_no_changes_is_quiet() -> None:
    s = summary("no_changes")
    assert (s.adds, s.changes, s.destroys, s.flags, s.rows) == (0, 0, 0, [], [])
    assert "No changes." in render_markdown([s])


def test_ordinary_change_counts_and_no_flag() -> None:
    s = summary("add_flow")
    assert (s.adds, s.changes, s.destroys, s.replaces) == (2, 2, 0, 0)
    # The ETL policy loses a statement: it shrinks, which is not a flag.
    assert s.flags == []


def test_destroying_a_bucket_is_flagged_and_forget_is_not() -> None:
    s = summary("destroy_bucket")
    assert (s.destroys, s.forgets) == (2, 1)
    assert flags("destroy_bucket") == {(DESTROYS, "aws_s3_bucket.storage_dropzone_bucket_8EDD8EE7")}
    md = render_markdown([s])
    assert "> [!CAUTION]" in md and "**DESTROYS DATA**" in md and "acme-sales-dropzone-444444444444-euw1" in md


def test_replacing_a_table_is_flagged_but_not_an_alias() -> None:
    s = summary("replace_table")
    assert s.replaces == 2
    assert flags("replace_table") == {(REPLACES, "aws_glue_catalog_table.glue_orders-raw_C024A96D")}
    [flag] = s.flags
    assert "forced by name" in flag.detail and "replace_because_cannot_update" in flag.detail


def test_every_kind_of_policy_growth_is_flagged() -> None:
    got = flags("policy_grows")
    assert got == {
        (GROWS, "aws_iam_role_policy.ingestion_api-role-policy_63951A2C"),  # resource widened to a wildcard
        (GROWS, "aws_iam_role.ingestion_api-role_A78C0E62"),  # trust lost its SourceAccount condition
        (GROWS, "aws_kms_key.storage_key_AB3BBE0B"),  # key policy trusts another account
        (GROWS, "aws_organizations_policy.guardrails_baseline_BEC7C949"),  # SCP lost a deny
        (GROWS, "aws_organizations_policy_attachment.guardrails_regions-attachment_677C25D6"),  # SCP detached
        (GROWS, "aws_iam_role_policy.etl_role-policy_0A1B2C3D"),  # policy known only after apply
    }
    details = {f.address: f.detail for f in summary("policy_grows").flags}
    assert "999999999999" in details["aws_kms_key.storage_key_AB3BBE0B"]
    assert "cloudtrail:stoplogging" in details["aws_organizations_policy.guardrails_baseline_BEC7C949"]
    assert "known only after apply" in details["aws_iam_role_policy.etl_role-policy_0A1B2C3D"]


def test_narrowed_policies_and_added_denies_are_not_growth() -> None:
    assert flags("policy_shrinks") == set()


def test_sharing_changes_are_flagged_both_ways() -> None:
    got = flags("sharing")
    assert (SHARING, "aws_s3_bucket_policy.storage_processed_policy_CF272638") in got
    assert (GROWS, "aws_s3_bucket_policy.storage_processed_policy_CF272638") in got
    assert (SHARING, "aws_glue_resource_policy.glue_resource-policy_8724CB3A") in got  # a revoked grant
    assert (SHARING, "aws_athena_data_catalog.workspace-eu-west-1_catalog-facilities_AC3D2A48") in got
    # Removing a grant narrows access: no growth flag on the Glue policy.
    assert (GROWS, "aws_glue_resource_policy.glue_resource-policy_8724CB3A") not in got


def test_flagged_stacks_come_first_in_the_markdown() -> None:
    md = render_markdown(
        summarize_files([str(PLANS / "no_changes.json"), f"silo-sales={PLANS / 'destroy_bucket.json'}"])
    )
    assert md.index("`silo-sales`: ") < md.index("`no_changes`: ")
    assert "| `silo-sales` | 0 | 0 | 2 | 0 | 🛑 destroys data |" in md


def test_stack_names_from_paths() -> None:
    assert stack_name_for(Path("plans/silo-sales.json")) == "silo-sales"
    assert stack_name_for(Path("cdktf.out/stacks/org/plan.json")) == "org"


def test_a_state_or_garbage_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    with pytest.raises(PlanError, match="a state, not a plan"):
        load_plan(state)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format_version": "0.1", "resource_changes": []}))
    with pytest.raises(PlanError, match="format_version 0.1"):
        load_plan(old)


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "summary.md"
    result = CliRunner().invoke(
        main, ["plan-summary", str(PLANS / "sharing.json"), str(PLANS / "add_flow.json"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "SHARING CHANGES" in out.read_text()
    bad = CliRunner().invoke(main, ["plan-summary", str(tmp_path / "missing.json")])
    assert bad.exit_code == 2 and "not a readable JSON plan" in bad.output
