"""Dashboard bodies (``silolake/health/dashboards.py``): pure, no synth; the synthesized
dashboards are read in ``tests/constructs/health/test_health.py``."""

from __future__ import annotations

import dataclasses

from silolake.health.dashboards import flow_range, period_for


def test_a_pipeline_running_quarterly_widens_its_flows_range(example_catalog) -> None:
    flow = next(f for s in example_catalog.deployable_silos for f in s.flows if f.name == "orders")
    assert flow_range(flow, []) is None
    quarterly = dataclasses.replace(flow, schedule="cron(0 6 1 1,4,7,10 ? *)")
    assert flow_range(quarterly, []) == 93  # the longest quarter (92 days) and a day
    assert period_for(93, 300) == 6 * 3600
