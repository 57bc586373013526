"""Opt-in recovery floor (S3 Object Lock) and per-flow ingestion throttles, in the catalog and the synth."""

from __future__ import annotations

import pytest

from silolake.aws import names
from silolake.catalog import CatalogError, load_catalog
from silolake.constructs.ingestion.throttles import method_path
from tests.conftest import CATALOG_HEADER
from tests.stackjson import bucket_named, ref_name, resources

SILO = """\
  - name: shop
    account_id: "444444444444"
    owners: [a@example.com]
{extra}    flows:
      - name: orders
        source: api
{flow_extra}        columns: [{{name: id, type: string}}]
"""


def load(tmp_path, extra: str = "", flow_extra: str = ""):
    path = tmp_path / "silos.yaml"
    path.write_text(CATALOG_HEADER + SILO.format(extra=extra, flow_extra=flow_extra))
    return load_catalog(path)


def test_defaults_are_off_and_fifty_per_second(tmp_path):
    silo = load(tmp_path).silos[0]
    assert silo.storage.object_lock_days is None
    assert (silo.flows[0].throttle_rate, silo.flows[0].throttle_burst) == (50, 100)


def test_catalog_reads_recovery_and_throttle(tmp_path):
    silo = load(
        tmp_path,
        extra="    storage: {recovery: {object_lock_days: 14}}\n",
        flow_extra="        throttle: {rate: 12.5, burst: 30}\n",
    ).silos[0]
    assert silo.storage.object_lock_days == 14
    assert (silo.flows[0].throttle_rate, silo.flows[0].throttle_burst) == (12.5, 30)


@pytest.mark.parametrize(
    ("extra", "flow_extra", "message"),
    [
        ("    storage: {recovery: {object_lock_days: 0}}\n", "", "object_lock_days"),
        ("    storage: {recovery: {days: 3}}\n", "", "recovery"),
        ("", "        throttle: {rate: 0}\n", "throttle.rate"),
        ("", "        throttle: {burst: 1.5}\n", "throttle.burst"),
    ],
)
def test_bad_values_are_located(tmp_path, extra, flow_extra, message):
    with pytest.raises(CatalogError) as err:
        load(tmp_path, extra, flow_extra)
    assert any(message in str(p) for p in err.value.problems), err.value.problems


def test_throttle_on_a_file_flow_is_refused(tmp_path):
    path = tmp_path / "silos.yaml"
    text = CATALOG_HEADER + SILO.format(extra="", flow_extra="        throttle: {rate: 5}\n")
    path.write_text(
        text.replace("source: api", "source: sftp").replace(
            "    flows:", "    ingestion: {sftp: {enabled: true}}\n    flows:"
        )
    )
    with pytest.raises(CatalogError, match="only api flows have one"):
        load_catalog(path)


@pytest.mark.slow
def test_object_lock_only_on_raw_and_processed_of_opted_in_silos(example_synth):
    catalog = example_synth.catalog
    seen = 0
    for silo in catalog.deployable_silos:
        stack = example_synth.stack(silo.stack_name)
        locks = resources(stack, "aws_s3_bucket_object_lock_configuration")
        if not silo.storage.object_lock_days:
            assert not locks
            continue
        by_bucket = {ref_name(v["bucket"]): v for v in locks.values()}
        for zone in names.ZONES:
            logical, _ = bucket_named(
                stack, names.silo_bucket(catalog.organization.name, silo.name, zone, silo.account_id, silo.region)
            )
            if zone in ("raw", "processed"):
                lock = by_bucket.pop(logical)
                assert lock["object_lock_enabled"] == "Enabled"
                assert lock["rule"] == {
                    "default_retention": {"mode": "GOVERNANCE", "days": silo.storage.object_lock_days}
                }
                assert any(d.startswith("aws_s3_bucket_versioning.") for d in lock["depends_on"])
                seen += 1
        assert not by_bucket
        # Enabling on the existing bucket, not through the bucket's own argument (forces a new bucket).
        assert all("object_lock_enabled" not in b for b in resources(stack, "aws_s3_bucket").values())
    assert seen == 2


@pytest.mark.slow
def test_each_api_flow_gets_its_own_throttle(example_synth):
    catalog = example_synth.catalog
    checked = 0
    for silo in catalog.deployable_silos:
        flows = silo.flows_from("api")
        settings = resources(example_synth.stack(silo.stack_name), "aws_api_gateway_method_settings")
        by_path = {s["method_path"]: s["settings"] for s in settings.values()}
        if not flows:
            assert not by_path
            continue
        assert by_path.pop("*/*")["throttling_rate_limit"] == 50
        for flow in flows:
            for kind in ("records", "batch"):
                s = by_path.pop(method_path(flow.name, kind))
                assert (s["throttling_rate_limit"], s["throttling_burst_limit"]) == (
                    flow.throttle_rate,
                    flow.throttle_burst,
                )
                assert s["metrics_enabled"] and s["logging_level"] == "ERROR" and not s["caching_enabled"]
                checked += 1
        assert not by_path
    assert checked == 4
    assert method_path("orders", "batch") == "flows/orders/batch/POST"
