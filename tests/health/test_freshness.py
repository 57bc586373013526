"""The freshness checks' schedules (``silolake/health/freshness.py``): pure, no synth."""

from __future__ import annotations

from silolake.catalog.expect import Deadline, Expectation
from silolake.catalog.flow import Flow
from silolake.health.freshness import FreshnessCheck


def test_a_deadline_just_before_midnight_runs_its_check_after_midnight() -> None:
    flow = Flow.__new__(Flow)
    check = FreshnessCheck(flow, None, Expectation(24, Deadline(23, 58, "Asia/Tokyo")))
    assert (check.schedule_expression, check.timezone) == ("cron(3 0 * * ? *)", "Asia/Tokyo")
    assert FreshnessCheck(flow, None, Expectation(6)).schedule_expression == "rate(6 hours)"
    assert FreshnessCheck(flow, None, Expectation(48)).schedule_expression == "rate(2 days)"
    assert FreshnessCheck(flow, None, Expectation(1)).schedule_expression == "rate(1 hour)"
