"""Day 2: removing ``delivery.pipeline`` forgets the master pipeline's data, never destroys it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from silolake.stacks.continuity import forgotten_with_data

pytestmark = pytest.mark.slow


def test_removing_the_pipeline_forgets_its_data_and_destroys_nothing_else_that_holds_data(example_synth, tmp_path):
    """The ``removed`` blocks of a datalake stack without the section are exactly the
    data-holding addresses the section's removal takes out of the configuration."""
    from silolake.synth.app import synthesize

    stack = example_synth.stack("datalake")
    assert example_synth.catalog.master_pipeline is not None
    assert "removed" not in stack  # with the pipeline there is nothing to forget
    catalog = dataclasses.replace(example_synth.catalog, master_pipeline=None)
    synthesize(catalog, tmp_path, stacks=["datalake"])
    without = json.loads((tmp_path / "stacks" / "datalake" / "cdk.tf.json").read_text())
    assert "aws_codepipeline" not in without.get("resource", {})
    before = {
        f"{rtype}.{logical}"
        for rtype, items in stack["resource"].items()
        if forgotten_with_data(rtype)
        for logical in items
    }
    after = {f"{rtype}.{logical}" for rtype, items in without["resource"].items() for logical in items}
    gone = before - after
    assert any(a.startswith("aws_s3_bucket.") for a in gone)
    assert any(a.startswith("aws_cloudwatch_log_group.") for a in gone)
    # The connection was authorized by hand in the console: a re-created one waits PENDING.
    assert any(a.startswith("aws_codeconnections_connection.") for a in gone)
    assert {r["from"] for r in without["removed"]} == gone
    assert all(r["lifecycle"] == {"destroy": False} for r in without["removed"])
