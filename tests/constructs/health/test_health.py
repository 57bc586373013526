"""The synthesized health signals of the example: alarms, freshness schedules, dashboards.

Asserted from the Terraform JSON: what each flow gets, that thresholds come from the catalog,
that every alarm notifies the owners' topic and meets CloudWatch's name rule and evaluation
limits, that dashboards show every flow, and that a decommissioned silo's checks stop.
"""

from __future__ import annotations

import json

from silolake.aws import health_names, name_rules, names, partner_access_names
from silolake.policy import health_sharing
from tests.conftest import Synth
from tests.stackjson import in_group

#: PutMetricAlarm: period x evaluation periods at most 7 days, and at most 1 day for periods
#: under an hour (CloudWatch API Reference, PutMetricAlarm "Period").
MAX_EVALUATION, MAX_SHORT_EVALUATION = 7 * 86400, 86400


def alarms(synth: Synth, stack: str) -> dict[str, dict]:
    return {a["alarm_name"]: a for a in synth.resources(stack, "aws_cloudwatch_metric_alarm").values()}


def topic(synth: Synth, stack: str) -> str:
    silo = synth.catalog.silo(stack.removeprefix("silo-"))
    [alerts] = [t for t in synth.resources(stack, "aws_sns_topic").values() if t["name"].endswith("-etl-alerts")]
    return f"arn:aws:sns:{silo.region}:{silo.account_id}:{alerts['name']}"


def test_each_flow_gets_the_alarms_its_catalog_entry_asks_for(example_synth: Synth) -> None:
    got = alarms(example_synth, "silo-logistics")
    flow = {
        n.removeprefix("silolake-logistics-shipments-") for n in got if n.startswith("silolake-logistics-shipments-")
    }
    assert flow == {
        "late", "late-dhl-express", "quarantine", "reject-ratio", "files-rejected", "pipeline-failed"
    }  # fmt: skip
    # A file rejected whole counts no rows: its own alarm, on the job's FilesRejected.
    rejected = got["silolake-logistics-shipments-files-rejected"]
    assert (rejected["metric_name"], rejected["threshold"]) == ("FilesRejected", 0)
    assert rejected["dimensions"] == {"Silo": "logistics", "Flow": "shipments"}
    # The threshold is the catalog's max_reject_ratio (0.05), judged on rejected / read rows.
    ratio = got["silolake-logistics-shipments-reject-ratio"]
    assert ratio["threshold"] == 0.05 and ratio["comparison_operator"] == "GreaterThanThreshold"
    [verdict] = [q for q in ratio["metric_query"] if q.get("return_data")]
    assert verdict["expression"] == "IF(FILL(read, 0) > 0, FILL(rejected, 0) / read, 0)"
    assert {q["metric"]["metric_name"] for q in ratio["metric_query"] if "metric" in q} == {"RowsRead", "RowsRejected"}
    late = got["silolake-logistics-shipments-late-dhl-express"]
    assert late["dimensions"] == {"Silo": "logistics", "Flow": "shipments", "Partner": "dhl-express"}
    assert (late["threshold"], late["treat_missing_data"]) == (1, "ignore")
    assert "silolake-logistics-silo-sftp-auth-failures" in got
    sales = alarms(example_synth, "silo-sales")
    # api flow: Firehose delivery, freshness and conversion; no quarantine (no files).
    assert {"silolake-sales-orders-firehose-delivery", "silolake-sales-orders-firehose-conversion"} <= set(sales)
    assert "silolake-sales-orders-quarantine" not in sales
    # Without max_reject_ratio (price_lists) any rejected row alarms.
    assert sales["silolake-sales-price_lists-reject-ratio"]["threshold"] == 0
    # The monthly flow (reseller_reports: by the 5th) is judged like the others.
    assert sales["silolake-sales-reseller_reports-late"]["metric_name"] == "FlowLate"


def test_every_example_flow_has_an_expectation_and_a_late_alarm(example_synth: Synth) -> None:
    """Issue 24's "done when": every flow of the example tells its owners when it is late (a silo
    whose account does not exist yet, marketing, is expected too; it synthesizes once created)."""
    for declared in example_synth.catalog.silos:
        for flow in declared.flows:
            assert flow.expect is not None and flow.expect.flow is not None, f"{declared.name}/{flow.name}"
    assert len(example_synth.catalog.deployable_silos) == 3
    for silo in example_synth.catalog.deployable_silos:
        got = alarms(example_synth, f"silo-{silo.name}")
        for flow in silo.flows:
            assert flow.expect is not None and flow.expect.flow is not None, f"{silo.name}/{flow.name}"
            late = got[health_names.health_alarm(silo.name, flow.name, "late")]
            assert late["dimensions"] == {"Silo": silo.name, "Flow": flow.name}
            assert late["alarm_actions"] == [topic(example_synth, f"silo-{silo.name}")]


def test_every_alarm_notifies_the_owners_and_is_a_valid_cloudwatch_alarm(example_synth: Synth) -> None:
    stacks = [s for s in example_synth.stack_names if s.startswith("silo-")]
    assert stacks
    for stack in stacks:
        for name, alarm in alarms(example_synth, stack).items():
            assert name_rules.CLOUDWATCH_ALARM.accepts(name), name
            assert name.startswith(f"silolake-{stack.removeprefix('silo-')}-")
            assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic(example_synth, stack)]
            periods = (
                [alarm["period"]]
                if "period" in alarm
                else [q["metric"]["period"] for q in alarm["metric_query"] if "metric" in q]
            )
            for period in periods:
                span = period * alarm["evaluation_periods"]
                assert span <= (MAX_EVALUATION if period >= 3600 else MAX_SHORT_EVALUATION), name
            if "metric_query" in alarm:
                assert sum(1 for q in alarm["metric_query"] if q.get("return_data")) == 1, name
                assert len(alarm["metric_query"]) <= 11  # metric math reads at most 10 metrics


def test_the_silo_key_lets_only_the_silos_alarms_use_it(example_synth: Synth) -> None:
    silo = example_synth.catalog.silo("sales")
    [key] = [
        k for k in example_synth.resources("silo-sales", "aws_kms_key").values() if "silo 'sales'" in k["description"]
    ]
    [statement] = [s for s in json.loads(key["policy"])["Statement"] if s.get("Sid") == "AlarmsNotifyOwners"]
    assert statement == health_sharing.alarm_key_statements(silo)[0]  # type: ignore[arg-type]
    assert (
        statement["Condition"]["ArnLike"]["aws:SourceArn"]
        == "arn:aws:cloudwatch:eu-west-1:444444444444:alarm:silolake-sales-*-*"
    )


def test_freshness_schedules_run_the_check_in_the_deadline_zone(example_synth: Synth) -> None:
    schedules = {
        s["name"]: s
        for s in in_group(example_synth.stack("silo-logistics"), health_names.health_schedule_group("logistics"))
    }
    assert set(schedules) == {"shipments", "shipments.dhl-express"}
    partner = schedules["shipments.dhl-express"]
    assert (partner["schedule_expression"], partner["schedule_expression_timezone"]) == (
        "cron(5 7 * * ? *)",
        "Europe/Berlin",
    )
    assert partner["state"] == "ENABLED" and partner["flexible_time_window"] == {"mode": "OFF"}
    check = json.loads(partner["target"]["input"])
    assert check["scheduled_time"] == "<aws.scheduler.scheduled-time>"
    assert (check["partner"], check["every_hours"], check["by"]) == (
        "dhl-express",
        24,
        {"hour": 7, "minute": 0, "zone": "Europe/Berlin"},
    )
    [function] = [
        f
        for f in example_synth.resources("silo-logistics", "aws_lambda_function").values()
        if f["function_name"] == names.etl_silo_name("logistics", "freshness")
    ]
    assert function["handler"] == "handler.lambda_handler" and function["layers"]
    groups = {g["name"] for g in example_synth.resources("silo-logistics", "aws_scheduler_schedule_group").values()}
    assert groups == {
        health_names.health_schedule_group("logistics"),
        health_names.pipeline_schedule_group("logistics"),
    }
    # Every sales flow is expected, the monthly one on its deadline's day.
    sales = {
        s["name"]: s for s in in_group(example_synth.stack("silo-sales"), health_names.health_schedule_group("sales"))
    }
    assert sorted(sales) == ["orders", "price_lists", "reseller_reports"]
    monthly = sales["reseller_reports"]
    assert (monthly["schedule_expression"], monthly["schedule_expression_timezone"]) == (
        "cron(5 6 5 * ? *)",
        "Europe/Rome",
    )
    check = json.loads(monthly["target"]["input"])
    assert (check["day"], check["every_hours"], check["by"]) == (5, 0, {"hour": 6, "minute": 0, "zone": "Europe/Rome"})
    conformed = [e for e in check["evidence"] if e["name"] == "conformed"]
    assert [t["metric"] for e in conformed for t in e["terms"]] == ["RowsConformed"]


def test_a_decommissioned_silo_stops_its_checks(decommissioned_synth: Synth) -> None:
    states = {
        s["name"]: s["state"]
        for s in in_group(decommissioned_synth.stack("silo-sales"), health_names.health_schedule_group("sales"))
    }
    assert states == {"orders": "DISABLED", "price_lists": "DISABLED", "reseller_reports": "DISABLED"}


def test_the_silo_dashboard_shows_every_flow_and_every_alarm(example_synth: Synth) -> None:
    [board] = example_synth.resources("silo-sales", "aws_cloudwatch_dashboard").values()
    assert board["dashboard_name"] == "silolake-sales" and name_rules.CLOUDWATCH_DASHBOARD.accepts("silolake-sales")
    body = json.loads(board["dashboard_body"])
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    for flow in ("orders", "reseller_reports", "price_lists"):
        assert f"{flow}: arrivals" in titles and f"{flow}: rows" in titles and f"{flow}: last successful runs" in titles
    assert "orders: late (1 = missed)" in titles and "reseller_reports: late (1 = missed)" in titles
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    arns = {f"arn:aws:cloudwatch:eu-west-1:444444444444:alarm:{n}" for n in alarms(example_synth, "silo-sales")}
    assert set(alarm_widget["properties"]["alarms"]) == arns
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24
    cells = [(w["x"], w["y"]) for w in body["widgets"]]
    assert len(cells) == len(set(cells)), "no two widgets share a place"


def test_the_organization_dashboard_reads_each_silo_account(example_synth: Synth) -> None:
    catalog = example_synth.catalog
    [board] = example_synth.resources("datalake", "aws_cloudwatch_dashboard").values()
    assert board["dashboard_name"] == "acme-silolake-health"
    body = json.loads(board["dashboard_body"])
    accounts = {line[-1]["accountId"] for w in body["widgets"] for line in w["properties"].get("metrics", [])}
    assert accounts == {s.account_id for s in catalog.deployable_silos}
    [slr] = example_synth.resources("datalake", "aws_iam_service_linked_role").values()
    assert slr["aws_service_name"] == "cloudwatch-crossaccount.amazonaws.com"
    for silo in catalog.deployable_silos:
        [role] = [
            r
            for r in example_synth.resources(silo.stack_name, "aws_iam_role").values()
            if r["name"] == health_names.CLOUDWATCH_SHARING_ROLE
        ]
        assert json.loads(role["assume_role_policy"]) == health_sharing.sharing_trust(
            "aws",
            catalog.datalake.account_id,
            catalog.layout.org_id,  # type: ignore[union-attr]
        )


def test_refused_sftp_sign_ins_are_counted_from_the_servers_log(example_synth: Synth) -> None:
    [metric_filter] = example_synth.resources("silo-logistics", "aws_cloudwatch_log_metric_filter").values()
    server = partner_access_names.partner_sftp_server("acme", "logistics")
    assert metric_filter["log_group_name"] == partner_access_names.transfer_log_group(server)
    assert metric_filter["pattern"] == '"AUTH_FAILURE"'
    assert metric_filter["metric_transformation"]["namespace"] == "Silolake/Silos"
    assert not example_synth.resources("silo-facilities", "aws_cloudwatch_log_metric_filter")


def test_schedule_names_fit_schedulers_rule_however_long_the_flow_and_partner() -> None:
    flow, partner = "f" * 60, "p" * 32
    long = health_names.freshness_schedule(flow, partner)
    assert len(long) == 64 and name_rules.SCHEDULER_GROUP.accepts(long)
    assert long != health_names.freshness_schedule(flow, "q" * 32)  # each pair keeps its own name
    assert health_names.freshness_schedule("orders", "acme") == "orders.acme"


def test_a_check_or_pipeline_scheduler_cannot_run_is_dead_lettered_and_alarms(example_synth: Synth) -> None:
    """Scheduler retries a check or a pipeline start, then sends it to the silo's dead-letter
    queue (silo key, TLS only, only the checks' and the pipelines' Scheduler roles may send); the
    queue's depth and both groups' invocation failures alarm to the owners, so a check that never
    ran cannot leave a late flow silent, nor a pipeline never started leave no failed execution."""
    stack = "silo-logistics"
    [queue] = example_synth.resources(stack, "aws_sqs_queue").values()
    assert queue["name"] == health_names.health_dead_letter_queue("logistics")
    [key] = [
        k for k in example_synth.resources(stack, "aws_kms_key").values() if "silo 'logistics'" in k["description"]
    ]
    assert queue["kms_master_key_id"].startswith("${aws_kms_key.") and queue["kms_master_key_id"].endswith(".arn}")
    assert key
    [queue_policy] = example_synth.resources(stack, "aws_sqs_queue_policy").values()
    statements = {s["Sid"]: s for s in json.loads(queue_policy["policy"])["Statement"]}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    role_arn = f"arn:aws:iam::555555555555:role/{names.silo_role('logistics', 'health-scheduler')}"
    etl_role_arn = f"arn:aws:iam::555555555555:role/{names.silo_role('logistics', 'etl-scheduler')}"
    only = statements["OnlyTheSchedulersSend"]
    assert (only["Effect"], only["Action"]) == ("Deny", "sqs:SendMessage")
    assert only["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [etl_role_arn, role_arn]}}
    assert not [s for s in statements.values() if s["Effect"] == "Allow"]
    queue_arn = f"arn:aws:sqs:eu-central-1:555555555555:{queue['name']}"
    schedules = example_synth.resources(stack, "aws_scheduler_schedule").values()
    checks = in_group(example_synth.stack(stack), health_names.health_schedule_group("logistics"))
    pipelines = in_group(example_synth.stack(stack), health_names.pipeline_schedule_group("logistics"))
    assert len(checks) == 2 and len(pipelines) == 1 and len(schedules) == 3
    for schedule in checks:
        target = schedule["target"]
        assert target["dead_letter_config"] == {"arn": queue_arn}
        assert target["retry_policy"] == {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}
    for schedule in pipelines:
        assert schedule["target"]["dead_letter_config"] == {"arn": queue_arn}
        assert schedule["target"]["retry_policy"]["maximum_retry_attempts"] == 3
        assert any(d.startswith("aws_sqs_queue.") for d in schedule["depends_on"])
    roles = {r["name"]: r for r in example_synth.resources(stack, "aws_iam_role").values()}
    assert role_arn.split("/")[-1] in roles and etl_role_arn.split("/")[-1] in roles
    role_policies = [
        p
        for p in example_synth.resources(stack, "aws_iam_role_policy").values()
        if p["name"] and "sqs:SendMessage" in p["policy"]
    ]
    sends = [s for p in role_policies for s in json.loads(p["policy"])["Statement"] if s["Action"] == "sqs:SendMessage"]
    assert len(sends) == 2 and {s["Resource"] for s in sends} == {queue_arn}
    got = alarms(example_synth, stack)
    depth = got["silolake-logistics-silo-checks-dead-lettered"]
    assert (depth["namespace"], depth["metric_name"], depth["dimensions"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": queue["name"]},
    )
    failed = got["silolake-logistics-silo-checks-not-invoked"]
    assert {q["metric"]["namespace"] for q in failed["metric_query"] if "metric" in q} == {"AWS/Scheduler"}
    assert {q["metric"]["dimensions"]["ScheduleGroup"] for q in failed["metric_query"] if "metric" in q} == {
        health_names.health_schedule_group("logistics"),
        health_names.pipeline_schedule_group("logistics"),
    }
    [verdict] = [q for q in failed["metric_query"] if "expression" in q]
    assert verdict["expression"].count("FILL(") == 6
    for alarm in (depth, failed):
        assert alarm["alarm_actions"] == [topic(example_synth, stack)]
    # The silo key lets Scheduler encrypt into this queue only.
    key_policy = json.loads(key["policy"])
    [grant] = [s for s in key_policy["Statement"] if s.get("Sid") == "SchedulerDeadLetters"]
    assert grant["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "555555555555", "kms:EncryptionContext:aws:sqs:arn": queue_arn}
    }


def test_the_dashboard_shows_the_hours_since_each_flows_last_success(example_synth: Synth) -> None:
    """Per flow: hours since rows were last conformed (the job's RowsConformed above 0) and since a
    pipeline run (conform and load) last succeeded (Step Functions ExecutionsSucceeded)."""
    [board] = example_synth.resources("silo-logistics", "aws_cloudwatch_dashboard").values()
    body = json.loads(board["dashboard_body"])
    [widget] = [w for w in body["widgets"] if w["properties"].get("title") == "shipments: since last success"]
    props = widget["properties"]
    assert props["view"] == "singleValue" and props["period"] == 300
    metrics, expressions = (
        [m for m in props["metrics"] if not isinstance(m[0], dict)],
        [m[0] for m in props["metrics"] if isinstance(m[0], dict)],
    )
    assert [(m[0], m[1], m[-1]["id"], m[-1]["visible"]) for m in metrics] == [
        ("Silolake/Flows", "RowsConformed", "conformed", False),
        ("AWS/States", "ExecutionsSucceeded", "pipeline", False),
    ]
    assert metrics[0][2:6] == ["Silo", "logistics", "Flow", "shipments"]
    assert [e["expression"] for e in expressions] == [
        "(EPOCH(FILL(conformed, 0)) - FILL(IF(conformed > 0, EPOCH(conformed)), REPEAT)) / 3600",
        "(EPOCH(FILL(pipeline, 0)) - FILL(IF(pipeline > 0, EPOCH(pipeline)), REPEAT)) / 3600",
    ]
    assert [e["label"] for e in expressions] == [
        "hours since rows were conformed",
        "hours since a pipeline run (conform and load) succeeded",
    ]


def test_the_health_constructs_type_no_policy_or_arn() -> None:
    """Statements, ARNs, names and thresholds come from silolake/policy and silolake/names: the
    health constructs only render them (a statement typed in a construct escapes the IAM tests)."""
    from pathlib import Path

    import silolake.constructs.health as health

    for module in Path(health.__file__).parent.glob("*.py"):
        text = module.read_text()
        assert '"Effect"' not in text and '"arn:' not in text and 'f"arn:' not in text, module.name


def test_a_monthly_flows_widgets_show_a_month_not_the_dashboards_week(example_synth: Synth) -> None:
    """The dashboards show a week (``-P7D``); reseller_reports is expected monthly (and its
    pipeline runs monthly), so its widgets carry their own 35-day range, at a period that keeps
    each metric within CloudWatch's 1,440 data points; a daily flow's widgets keep the week."""
    boards = {
        "silo-sales": ("reseller_reports", "orders"),
        "datalake": ("sales/reseller_reports", "sales/orders"),
    }
    for stack, (monthly, daily) in boards.items():
        [board] = example_synth.resources(stack, "aws_cloudwatch_dashboard").values()
        body = json.loads(board["dashboard_body"])
        assert body["start"] == "-P7D"
        metric_widgets = [w["properties"] for w in body["widgets"] if w["type"] == "metric"]
        long = [p for p in metric_widgets if p["title"].startswith(f"{monthly}:")]
        short = [p for p in metric_widgets if p["title"].startswith(f"{daily}:")]
        assert long and short
        for props in long:
            assert props["start"] == "-P35D", props["title"]
            periods = [props["period"]] + [m[-1]["period"] for m in props["metrics"] if "period" in m[-1]]
            assert all(35 * 86400 // p <= 1440 for p in periods), props["title"]
        assert {"arrivals", "late (1 = missed)"} <= {p["title"].split(": ", 1)[1] for p in long}
        assert not [p for p in short if "start" in p]


def test_only_a_flow_with_fail_rules_gets_a_quality_alarm_and_rules_show_on_the_dashboard(example_synth: Synth) -> None:
    """orders has fail and warn rules: its quality alarm reads QualityRulesFailed; the other
    flows have no rules, so no alarm that could never fire. Warn rules alarm nobody by design:
    the dashboard shows both counts next to the rows of a flow with rules."""
    sales = alarms(example_synth, "silo-sales")
    quality = [n for n in sales if n.endswith("-quality")]
    assert quality == ["silolake-sales-orders-quality"]
    assert sales[quality[0]]["metric_name"] == "QualityRulesFailed"
    for stack in ("silo-logistics", "silo-facilities"):
        assert not [n for n in alarms(example_synth, stack) if n.endswith("-quality")]
    [board] = example_synth.resources("silo-sales", "aws_cloudwatch_dashboard").values()
    widgets = {w["properties"].get("title"): w["properties"] for w in json.loads(board["dashboard_body"])["widgets"]}
    rules = widgets["orders: quality rules"]
    assert [(m[1], m[2:6]) for m in rules["metrics"]] == [
        ("QualityRulesFailed", ["Silo", "sales", "Flow", "orders"]),
        ("QualityRulesWarned", ["Silo", "sales", "Flow", "orders"]),
    ]
    assert "price_lists: quality rules" not in widgets
