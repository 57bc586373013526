"""The infrastructure and the runtime code agree: job spec, landing configuration, conform state."""

from __future__ import annotations

import json
import sys

import pytest

from silolake.constructs.etl import artifacts, flow_spec
from silolake.constructs.etl.landing import MAX_FILE_BYTES, SOURCE
from tests.conftest import REPO


@pytest.fixture(scope="module")
def runtime():
    """The conform job's spec parser and the landing rules, imported as their runtimes do."""
    paths = [str(artifacts.CONFORM_SOURCE), str(SOURCE)]
    sys.path[:0] = paths
    try:
        import conform_spec
        from landing import rules

        yield conform_spec, rules
    finally:
        for p in paths:
            sys.path.remove(p)


def test_every_example_flow_spec_is_accepted_by_the_conform_job(example_catalog, runtime):
    conform_spec, _ = runtime
    for silo in example_catalog.silos:
        for flow in silo.flows:
            spec = flow_spec.flow_spec(flow, raw_bucket="raw-b", processed_bucket="processed-b")
            parsed = conform_spec.parse_spec(flow_spec.render_spec(spec))
            assert parsed.flow == flow.name and list(parsed.partition_by) == list(flow.partition_by)
            # The warehouse load reads the job's state where the job writes it.
            assert parsed.state_path == f"s3://processed-b/{flow.name}/{flow_spec.CONFORM_STATE}"


def test_landing_configuration_is_accepted_by_the_landing_function(example_catalog, runtime):
    _, rules = runtime
    for silo in example_catalog.silos:
        files = silo.flows_from("sftp", "upload")
        if files:
            parsed = rules.parse_flows(json.dumps(flow_spec.landing_flows(files, MAX_FILE_BYTES)))
            assert sorted(parsed) == sorted(f.name for f in files)


def test_the_framework_bundle_is_the_conform_folder():
    bundle = artifacts.framework_bundle()
    assert bundle.script_key.endswith("/job.py")
    conform = REPO / "silolake" / "runtime" / "glue" / "conform"
    assert {p.name for _, p in bundle.files} == {p.name for p in conform.glob("*.py")}
    assert all(
        k.startswith(f"{artifacts.names.ARTIFACTS_PREFIX}_silolake/conform/{bundle.digest}/")
        for k in bundle.module_keys
    )


def test_custom_jobs_are_content_addressed_under_their_own_path(tmp_path, example_catalog):
    import dataclasses

    script = tmp_path / "glue_src" / "jobs" / "custom.py"
    script.parent.mkdir(parents=True)
    script.write_text("print('v1')\n")
    flow = dataclasses.replace(example_catalog.silos[0].flows[0], job="glue_src/jobs/custom.py")
    first = artifacts.job_bundle(flow, tmp_path)
    assert first.script_key.startswith(f"{artifacts.names.ARTIFACTS_PREFIX}glue_src/jobs/")
    assert first.script_key.endswith("/custom.py") and not first.module_keys
    script.write_text("print('v2')\n")
    assert artifacts.job_bundle(flow, tmp_path).script_key != first.script_key
    with pytest.raises(ValueError):
        artifacts.job_bundle(dataclasses.replace(flow, job="../outside.py"), tmp_path)
