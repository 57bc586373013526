"""``flows[].expect``: every rule with a bad catalog of its own, exact located messages, and the model.

Cases start from ``minimal.yaml`` (``orders``: api, rate(1 hour); ``reports``: sftp, the default
daily schedule) and add one ``expect`` mapping.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from silolake.catalog import load_catalog
from silolake.catalog.expect import Deadline, Expectation, FlowExpectations
from silolake.catalog.schedule import longest_interval

from .test_validation import MINIMAL, S, mutate, problems  # noqa: F401  (fixture)

REPORTS = "        partition_by: [ingest_date]\n"
ORDERS = "        schedule: rate(1 hour)\n"


def on_reports(expect: str) -> str:
    """The minimal catalog with ``expect`` (one YAML flow mapping) on the sftp flow ``reports``."""
    return mutate(REPORTS, REPORTS + f"        expect: {expect}\n")


def on_orders(expect: str) -> str:
    return mutate(ORDERS, ORDERS + f"        expect: {expect}\n")


def test_a_valid_expectation_is_modelled(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(catalog_dir)
    text = on_reports(
        '{every: 2d, by: "06:00 Europe/Rome", max_reject_ratio: 0.05, '
        'partners: {acme-carrier: {every: 2d, by: "07:30 America/New_York"}, bob: {every: 12h}}}'
    )
    Path("silos.yaml").write_text(text)
    flow = load_catalog("silos.yaml").silo("sales").flows[1]
    assert flow.expect == FlowExpectations(
        flow=Expectation(48, Deadline(6, 0, "Europe/Rome")),
        max_reject_ratio=0.05,
        partners=(
            ("acme-carrier", Expectation(48, Deadline(7, 30, "America/New_York"))),
            ("bob", Expectation(12)),
        ),
    )
    assert flow.expect.flow is not None and flow.expect.flow.every_text == "2d"
    assert Expectation(12).every_text == "12h"
    assert load_catalog("silos.yaml").silo("sales").flows[0].expect is None


def test_an_hourly_pipeline_answers_an_expectation_one_run_longer(problems) -> None:  # noqa: F811
    assert problems(on_orders("{every: 5h, max_reject_ratio: 0.5}")) == []


@pytest.mark.parametrize(
    ("expect", "schedule", "message"),
    [
        (
            "{every: 1h}",
            "rate(1 hour)",
            "the flow's pipeline (rate(1 hour)) starts a run only every 1h at worst and a run may take 4h, so "
            "conformed data cannot be expected every 1h: the check would race the run; make every at least 5h",
        ),
        (
            "{every: 1d}",
            "rate(1 day)",
            "the flow's pipeline (rate(1 day)) starts a run only every 1d at worst and a run may take 4h, so "
            "conformed data cannot be expected every 1d: the check would race the run; make every at least 28h "
            "or run the pipeline at least every 20h (schedule)",
        ),
        (  # quoted as written: 24h, not the 1d it equals
            "{every: 24h}",
            "rate(1 day)",
            "the flow's pipeline (rate(1 day)) starts a run only every 1d at worst and a run may take 4h, so "
            "conformed data cannot be expected every 24h: the check would race the run; make every at least 28h "
            "or run the pipeline at least every 20h (schedule)",
        ),
        (
            '{every: 1d, by: "06:00 Europe/Rome"}',
            "rate(1 day)",
            "the flow's pipeline (rate(1 day)) starts a run only every 1d at worst and a run may take 4h, so "
            "conformed data cannot be expected every 1d: the check would race the run; make every at least 2d "
            "or run the pipeline at least every 20h (schedule)",
        ),
    ],
)
def test_an_every_the_pipeline_cannot_finish_within_is_refused(
    problems,  # noqa: F811
    expect: str,
    schedule: str,
    message: str,
) -> None:
    """A run that starts at the end of the window publishes its rows after the check: every equal to
    (or within a run of) the pipeline's period races the run, so "nothing conformed" would be a false alarm."""
    text = mutate(ORDERS, f"        schedule: {schedule}\n        expect: {expect}\n")
    line = text.splitlines().index(f"        expect: {expect}") + 1
    assert problems(text) == [f"{S}:{line}:25: silos[0].flows[0].expect.every: {message}"]


@pytest.mark.parametrize(
    ("expect", "col", "message"),
    [
        (
            "{every: 90m}",
            25,
            "expect.every: '90m' is not valid: expected a duration as <n>h or <n>d, e.g. 6h or 1d (1h to 7d)",
        ),
        (
            "{every: 8d}",
            25,
            "expect.every: every '8d' is outside 1h..7d; expect data at least weekly and at most hourly",
        ),
        (
            "{every: 0h}",
            25,
            "expect.every: '0h' is not valid: expected a duration as <n>h or <n>d, e.g. 6h or 1d (1h to 7d)",
        ),
        (
            '{every: 36h, by: "06:00 UTC"}',
            34,
            "expect.by: a deadline by a time of day needs every in whole days, not '36h'; write every: 2d or remove by",
        ),
        (
            '{every: 2d, by: "06:00 Europe/Roma"}',
            33,
            "expect.by: unknown time zone 'Europe/Roma' (did you mean 'Europe/Rome' or 'Europe/Riga'?); "
            "write an IANA zone such as Europe/Rome or UTC",
        ),
        (
            '{every: 2d, by: "6:00 Europe/Rome"}',
            33,
            "expect.by: '6:00 Europe/Rome' is not valid: expected a time of day and an IANA time zone, "
            """e.g. "06:00 Europe/Rome"; write '06:00 Europe/Rome' instead""",
        ),
        (
            '{every: 2d, by: "02:30 Europe/Rome"}',
            33,
            "expect.by: the check runs at 02:35 Europe/Rome (5 minutes after the deadline), a time that does "
            "not exist on ",
        ),
        (
            '{every: 2d, by: "24:00 UTC"}',
            33,
            "expect.by: '24:00 UTC' is not valid: expected a time of day and an IANA time zone, "
            'e.g. "06:00 Europe/Rome"',
        ),
        (
            "{every: 2d, max_reject_ratio: 1}",
            47,
            "expect.max_reject_ratio: max_reject_ratio 1 must be between 0 and 1 (exclusive), "
            "e.g. 0.05 for 5% of the rows",
        ),
        (
            "{every: 2d, max_reject_ratio: 0}",
            47,
            "expect.max_reject_ratio: max_reject_ratio 0 must be between 0 and 1 (exclusive), "
            "e.g. 0.05 for 5% of the rows",
        ),
        (
            '{by: "06:00 UTC", partners: {bob: {every: 1d}}}',
            22,
            "expect.by: by needs every (how often data is due, e.g. every: 1d)",
        ),
        (
            "{every: 6h}",
            25,
            "expect.every: the flow's pipeline (rate(1 day)) starts a run only every 1d at worst and a run may take "
            "4h, so conformed data cannot be expected every 6h: the check would race the run; make every at least "
            "28h or run the pipeline at least every 2h (schedule)",
        ),
        (
            "{partners: {Bob_Partner: {every: 1d}}}",
            29,
            "expect.partners.Bob_Partner: key 'Bob_Partner' is not valid: expected a partner name as the credential "
            "admin issues it: 3-32 lowercase letters, digits and hyphens, starting with a letter, "
            "not ending with a hyphen",
        ),
        (
            "{partners: {bob: {every: 9d}}}",
            42,
            "expect.partners.bob.every: every '9d' is outside 1h..7d; expect data at least weekly and at most hourly",
        ),
        (
            '{partners: {bob: {by: "06:00 UTC"}}}',
            34,
            'expect.partners.bob: expect every (e.g. every: 1d) or monthly (e.g. monthly: {day: 5, by: "06:00 '
            'Europe/Rome"})',
        ),
        (
            "{}",
            17,
            "expect: an empty expect declares nothing: add every (e.g. every: 1d), monthly (e.g. monthly: "
            '{day: 5, by: "06:00 Europe/Rome"}), max_reject_ratio or partners, or remove expect',
        ),
        (
            "{every: 2d, max_reject_rato: 0.1}",
            29,
            "expect.max_reject_rato: unknown key 'max_reject_rato' (did you mean 'max_reject_ratio'?); "
            "allowed keys: by, every, max_reject_ratio, monthly, partners",
        ),
    ],
)
def test_bad_expectations_are_located_with_the_fix(problems, expect: str, col: int, message: str) -> None:  # noqa: F811
    found = problems(on_reports(expect))
    line = on_reports(expect).splitlines().index(f"        expect: {expect}") + 1
    assert len(found) == 1, found
    assert found[0].startswith(f"{S}:{line}:{col}: silos[0].flows[1].{message}"), found


def test_partners_only_on_file_flows(problems) -> None:  # noqa: F811
    text = on_orders("{every: 5h, partners: {bob: {every: 1d}}}")
    line = text.splitlines().index("        expect: {every: 5h, partners: {bob: {every: 1d}}}") + 1
    assert problems(text) == [
        f"{S}:{line}:39: silos[0].flows[0].expect.partners: only sftp and upload flows receive files from "
        "named partners; remove partners or expect the whole flow"
    ]


def test_a_custom_job_cannot_promise_a_reject_ratio(problems, catalog_dir: Path) -> None:  # noqa: F811
    (catalog_dir / "glue_src").mkdir(exist_ok=True)
    (catalog_dir / "glue_src" / "job.py").write_text("print('custom')\n")
    text = mutate(
        REPORTS, REPORTS + "        job: glue_src/job.py\n        expect: {every: 1d, max_reject_ratio: 0.1}\n"
    )
    assert problems(text) == [
        f"{S}:{text.splitlines().index('        expect: {every: 1d, max_reject_ratio: 0.1}') + 1}:47: "
        "silos[0].flows[1].expect.max_reject_ratio: a custom job counts no rejected rows: max_reject_ratio "
        "needs the default conform job (job: default)"
    ]


def test_a_monthly_pipeline_cannot_be_expected_weekly(problems) -> None:  # noqa: F811
    text = mutate(REPORTS, REPORTS + '        schedule: "cron(0 6 2 * ? *)"\n        expect: {every: 7d}\n')
    (found,) = problems(text)
    assert found.endswith(
        "silos[0].flows[1].expect.every: the flow's pipeline (cron(0 6 2 * ? *)) starts a run only every 31d at "
        "worst and a run may take 4h, so conformed data cannot be expected every 7d: the check would race the run; "
        "expect the flow monthly (monthly: {day, by}) or run the pipeline at least every 164h (schedule)"
    )
    # Per-partner expectations judge deliveries only: a monthly pipeline may still expect them.
    text = mutate(
        REPORTS, REPORTS + '        schedule: "cron(0 6 2 * ? *)"\n        expect: {partners: {bob: {every: 1d}}}\n'
    )
    assert problems(text) == []


@pytest.mark.parametrize(
    ("expression", "gap"),
    [
        ("rate(1 hour)", dt.timedelta(hours=1)),
        ("rate(15 minutes)", dt.timedelta(minutes=15)),
        ("cron(0/15 * * * ? *)", dt.timedelta(minutes=15)),
        ("cron(0 6,18 * * ? *)", dt.timedelta(hours=12)),
        ("cron(0 8 ? * MON-FRI *)", dt.timedelta(days=3)),  # Friday 08:00 to Monday 08:00
        ("cron(30 23 * * ? *)", dt.timedelta(days=1)),
        ("cron(0 6 2 * ? *)", dt.timedelta(days=31)),
        ("cron(0 6 L * ? *)", dt.timedelta(days=35)),
        ("cron(0 6 * * ? 2027)", None),
    ],
)
def test_longest_interval_of_a_schedule(expression: str, gap: dt.timedelta | None) -> None:
    assert longest_interval(expression) == gap


SILO_LINE = "    owners: [alice@acme.example]\n"


def test_the_chat_webhook_is_a_secret_name(problems, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    ok = mutate(SILO_LINE, SILO_LINE + "    alerts: {webhook_secret: silolake/sales/chat}\n")
    assert problems(ok) == []
    monkeypatch.chdir(catalog_dir)
    Path("silos.yaml").write_text(ok)
    assert load_catalog("silos.yaml").silo("sales").alerts_webhook_secret == "silolake/sales/chat"
    arn = mutate(SILO_LINE, SILO_LINE + "    alerts: {webhook_secret: 'arn:aws:secretsmanager:x'}\n")
    (found,) = problems(arn)
    assert found.endswith(
        "silos[0].alerts.webhook_secret: 'arn:aws:secretsmanager:x' is not valid: expected the name of a Secrets "
        "Manager secret in the silo's account (letters, digits and /_+=.@-), not its ARN"
    )
    # A full ARN ends in the random suffix too: one message, the one that says to give the name.
    full = "arn:aws:secretsmanager:eu-west-1:444444444444:secret:silolake/sales/chat-AbCdEf"
    (found,) = problems(mutate(SILO_LINE, SILO_LINE + f"    alerts: {{webhook_secret: '{full}'}}\n"))
    assert found.endswith("not its ARN")
    suffix = mutate(SILO_LINE, SILO_LINE + "    alerts: {webhook_secret: chat-a1B2c3}\n")
    (found,) = problems(suffix)
    assert found.endswith(
        "silos[0].alerts.webhook_secret: secret name 'chat-a1B2c3' ends like the random suffix Secrets Manager "
        "appends to ARNs (a hyphen and six characters); rename the secret, e.g. end it in '/webhook'"
    )


def test_a_deadline_just_before_the_gap_is_refused_by_its_check_time() -> None:
    """01:58 is a time every day, but its check at 02:03 is not on the last Sunday of March."""
    from silolake.catalog.expect import Deadline, skipped_day

    assert skipped_day(Deadline(1, 58, "Europe/Rome"), dt.date(2027, 1, 1)) == (dt.date(2027, 3, 28), "02:03")
    assert skipped_day(Deadline(6, 0, "Europe/Rome"), dt.date(2027, 1, 1)) is None
    assert skipped_day(Deadline(2, 30, "UTC"), dt.date(2027, 1, 1)) is None


MONTHLY_PIPELINE = '        schedule: "cron(0 6 2 * ? *)"\n'


def on_monthly_reports(expect: str) -> str:
    """The sftp flow ``reports`` run monthly (the 2nd, 06:00 UTC) with ``expect``."""
    return mutate(REPORTS, REPORTS + MONTHLY_PIPELINE + f"        expect: {expect}\n")


def test_a_monthly_expectation_is_modelled(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(catalog_dir)
    Path("silos.yaml").write_text(
        on_monthly_reports(
            '{monthly: {day: 5, by: "06:00 Europe/Rome"}, partners: {bob: {monthly: {day: 3, by: "18:30 UTC"}}}}'
        )
    )
    expect = load_catalog("silos.yaml").silo("sales").flows[1].expect
    assert expect == FlowExpectations(
        flow=Expectation(0, Deadline(6, 0, "Europe/Rome"), day=5),
        max_reject_ratio=None,
        partners=(("bob", Expectation(0, Deadline(18, 30, "UTC"), day=3)),),
    )
    assert expect.flow is not None and expect.flow.every_text == "monthly on day 5"


@pytest.mark.parametrize(
    ("monthly", "key", "message"),
    [
        (
            '{day: 31, by: "06:00 Europe/Rome"}',
            "day",
            "day 31 does not exist in every month (February has 28 days): EventBridge Scheduler's cron skips the "
            "months without it and their deliveries would go unjudged; choose a day from 1 to 28",
        ),
        (
            '{day: 29, by: "06:00 Europe/Rome"}',
            "day",
            "day 29 does not exist in every month",
        ),
        (
            '{day: 5, by: "06:07 Europe/Rome"}',
            "by",
            "a monthly check reads five-minute sums (CloudWatch keeps one-minute data only 15 days), so its deadline "
            "must be on a five-minute mark; write 06:05 Europe/Rome",
        ),
        (
            '{day: 5, by: "23:55 UTC"}',
            "by",
            "the check runs 5 minutes after the deadline, on the next day, which a monthly schedule cannot name "
            "for every month; choose a deadline no later than 23:50",
        ),
        (
            # 2027-03-28 is the last Sunday of March: 02:05 does not exist in Rome that night.
            '{day: 28, by: "02:00 Europe/Rome"}',
            "by",
            "the check runs at 02:05 Europe/Rome (5 minutes after the deadline), a time that does not exist on ",
        ),
        (
            '{day: 5, by: "06:00 Europe/Roma"}',
            "by",
            "unknown time zone 'Europe/Roma'",
        ),
        ("{day: 5}", "", "missing required key 'by'"),
        # Not a day of any month: the schema's bound alone, not the February explanation too.
        ('{day: 0, by: "06:00 Europe/Rome"}', "day", "must be at least 1, got 0"),
    ],
)
def test_bad_monthly_deadlines_are_located_with_the_fix(problems, monthly: str, key: str, message: str) -> None:  # noqa: F811
    expect = f"{{monthly: {monthly}}}"
    text = on_monthly_reports(expect)
    line = text.splitlines().index(f"        expect: {expect}") + 1
    (found,) = problems(text)
    where = ".".join(p for p in ("expect.monthly", key) if p)
    assert found.startswith(f"{S}:{line}:") and f": silos[0].flows[1].{where}: {message}" in found, found


def test_every_and_monthly_together_are_refused(problems) -> None:  # noqa: F811
    (found,) = problems(on_monthly_reports('{every: 7d, monthly: {day: 5, by: "06:00 UTC"}}'))
    assert found.endswith(
        "silos[0].flows[1].expect.monthly: write either every (with an optional by) or monthly (with its own by), "
        "not both"
    )


def test_a_monthly_pipeline_answers_a_monthly_deadline_only_with_a_run_before_it(problems) -> None:  # noqa: F811
    assert problems(on_monthly_reports('{monthly: {day: 5, by: "06:00 Europe/Rome"}}')) == []
    assert problems(on_reports('{monthly: {day: 1, by: "00:00 UTC"}}')) == []  # a daily pipeline answers it
    # The 2nd's run starts at 06:00 UTC and may take 4 h: a 07:00 deadline on the 2nd comes first.
    expect = '{monthly: {day: 2, by: "07:00 UTC"}}'
    text = on_monthly_reports(expect)
    (found,) = problems(text)
    line = text.splitlines().index(f"        expect: {expect}") + 1
    assert found.startswith(
        f"{S}:{line}:27: silos[0].flows[1].expect.monthly: the flow's pipeline (cron(0 6 2 * ? *)) "
    )
    assert found.endswith(
        "UTC at least 4h (a run's length) before the second, so conformed data cannot be expected monthly; "
        "schedule the pipeline at least once a month, a few hours before the deadline"
    )


def test_the_run_margin_is_the_conform_jobs_timeout() -> None:
    from silolake.catalog.expect import RUN_MARGIN
    from silolake.constructs.etl.glue_job import JOB_TIMEOUT_MINUTES

    assert dt.timedelta(minutes=JOB_TIMEOUT_MINUTES) == RUN_MARGIN
