"""The pipeline definition: structure, the moto rendering, and asl-validator on every synthesized machine."""

from __future__ import annotations

import json

import pytest

from silolake.constructs.etl import asl
from tests.etl.asl_validator import validate

LOAD = asl.WarehouseLoad(
    workgroup="silolake-sales-warehouse",
    database="silo_sales",
    statements=("CREATE TABLE IF NOT EXISTS t (a INT)", "DELETE FROM t WHERE d = '{}'::DATE"),
    partition_by=("ingest_date",),
    state_bucket="acme-sales-processed-444444444444-euw1",
    state_key="orders/_silolake/conform_state.json",
)
SPEC = asl.PipelineDefinition(
    silo="sales",
    flow="orders",
    job_name="silolake-sales-orders",
    topic_arn="arn:aws:sns:eu-west-1:444444444444:silolake-sales-etl-alerts",
    partition="aws",
    athena_workgroup="silolake-sales-athena",
    database="silo_sales",
    raw_table="orders_raw",
    processed_table="orders_processed",
    warehouse=LOAD,
)


def tasks(states: dict, inside_map: bool = False):
    for name, state in states.items():
        if state["Type"] == "Task":
            yield name, state, inside_map
        if "ItemProcessor" in state:
            yield from tasks(state["ItemProcessor"]["States"], inside_map=True)


def machines(synth) -> dict[str, dict]:
    """Every state machine definition of the example synth, by machine name."""
    found = {}
    for stack in synth.stack_names:
        for sm in synth.resources(stack, "aws_sfn_state_machine").values():
            found[sm["name"]] = json.loads(sm["definition"])
    return found


@pytest.mark.parametrize("spec", [SPEC, asl.PipelineDefinition(**{**SPEC.__dict__, "warehouse": None})])
def test_every_task_fails_into_the_notification(spec):
    definition = asl.definition(spec)
    states = definition["States"]
    for name, state, inside_map in tasks(states):
        if inside_map:
            continue  # covered by the Map's catch below
        assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
        assert state["Catch"][-1]["Next"] in ("Notify", "Failed"), name
        assert any(r["BackoffRate"] > 1 for r in state["Retry"]), f"{name} retries without backoff"
    for name, state in states.items():
        if state["Type"] == "Map":
            assert state["Catch"] == asl.CATCH_ALL, name
    assert states["Notify"]["Resource"] == "arn:aws:states:::sns:publish" and states["Notify"]["Next"] == "Failed"
    assert states["Conform"]["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert {"ErrorEquals": asl.CONCURRENT_RUNS}.items() <= states["Conform"]["Retry"][0].items()


def test_order_of_steps():
    states = asl.definition(SPEC)["States"]
    order, name = [], "RegisterRawPartitions"
    while states[name]["Type"] not in ("Succeed", "Fail"):
        order.append(name)
        name = states[name].get("Next") or states[name]["Default"]  # a Choice: the scheduled run
    assert order == [
        "RegisterRawPartitions",
        "RunKind",
        "Conform",
        "ReadConformState",
        "LoadWarehouse",
        "RefreshProcessedPartitions",
    ]
    no_warehouse = asl.definition(asl.PipelineDefinition(**{**SPEC.__dict__, "warehouse": None}))["States"]
    assert no_warehouse["Conform"]["Next"] == no_warehouse["ConformRedrive"]["Next"] == "RefreshProcessedPartitions"
    assert "LoadWarehouse" not in no_warehouse


def test_request_response_form_changes_only_sync_resources():
    definition = asl.definition(SPEC)
    before = json.dumps(definition, sort_keys=True)
    moto_form = asl.request_response_form(definition)
    assert json.dumps(definition, sort_keys=True) == before, "the product definition must not change"
    changed = []
    for name, state in definition["States"].items():
        other = moto_form["States"][name]
        if state.get("Resource", "").endswith(".sync"):
            assert other["Resource"] == state["Resource"].removesuffix(".sync")
            changed.append(name)
            other = {**other, "Resource": state["Resource"]}
        assert other == state, name
    assert changed == ["RegisterRawPartitions", "Conform", "ConformRedrive", "RefreshProcessedPartitions"]


def test_a_redrive_runs_the_same_job_with_its_days_and_nothing_else_differs():
    states = asl.definition(SPEC)["States"]
    redrive, scheduled = states["ConformRedrive"], states["Conform"]
    assert redrive["Parameters"] == {
        "JobName": "silolake-sales-orders",
        "Arguments": {"--redrive_days.$": "States.JsonToString($.redrive.days)"},
    }
    assert {**redrive, "Parameters": scheduled["Parameters"]} == scheduled
    assert states["RegisterRawPartitions"]["Next"] == "RunKind"
    assert states["RunKind"]["Default"] == "Conform"


def test_intrinsic_literals_escape_the_special_characters():
    assert asl.intrinsic_literal("it's {x} \\") == "'it\\'s \\{x\\} \\\\'"
    assert asl.format_template("a '{}' b", ["$.x"]) == "States.Format('a \\'{}\\' b', $.x)"
    with pytest.raises(ValueError):
        asl.format_template("{} {}", ["$.x"])


def test_validator_accepts_both_shapes_and_rejects_a_broken_one():
    for spec in (SPEC, asl.PipelineDefinition(**{**SPEC.__dict__, "warehouse": None})):
        ok, output = validate(asl.definition(spec))
        assert ok, output
    broken = asl.definition(SPEC)
    broken["States"]["Conform"]["Next"] = "NoSuchState"
    ok, output = validate(broken)
    assert not ok and "NoSuchState" in output


@pytest.mark.slow
def test_every_synthesized_state_machine_is_valid_asl(example_synth):
    found = machines(example_synth)
    flows = [(s, f) for s in example_synth.catalog.deployable_silos for f in s.flows]
    assert sorted(found) == sorted(f"silolake-{s.name}-{f.name}" for s, f in flows)
    for name, definition in found.items():
        ok, output = validate(definition)
        assert ok, f"{name}: {output}"
