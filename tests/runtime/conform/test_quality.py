"""Quality rules in the conform job on local PySpark, on the user's path.

1. The example's ``orders`` flow with the ``--flow_spec`` its synthesized Glue job carries, run by
   ``conform_run.run_job`` (what ``job.py`` runs on Glue) with moto's CloudWatch: a file failing a
   ``fail`` rule is rejected whole while the other files of the run land; ``warn`` rules let
   their file through; the results are read back with DuckDB through the synthesized
   ``silolake_quality`` table (location template, partition keys, column types); the run's
   metrics reach CloudWatch with the contract's names, dimensions and values.
2. Every check's NULL handling and both outcomes on a flow of other column types (int, date,
   boolean allowed values; unique over two columns with NULLs; range with one bound; min_rows
   counting only rows that passed the type checks).
3. The regex subset: Java (Spark ``rlike`` of the translated form) and Python (``re.search`` of
   the catalog text) answer alike on values made to tell them apart.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from silolake.catalog.quality import rules
from silolake.catalog.quality_regex import java_regex
from silolake.catalog.types import parse_type

from .sample_data import raw_partition, spec, write_lines
from .test_reader_agrees import duckdb_type

pytestmark = pytest.mark.slow

DAY = "2024-05-01"
STACK, FLOW = "silo-sales", "orders"


def _synthesized(example_synth, kind: str, match) -> dict[str, Any]:
    found = [r for r in example_synth.resources(STACK, kind).values() if match(r)]
    assert len(found) == 1, found
    return found[0]


def _orders_table() -> pa.Schema:
    line = pa.struct([("sku", pa.string()), ("qty", pa.int32()), ("unit_price", pa.decimal128(12, 2))])
    return pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("amount", pa.decimal128(12, 2)),
            ("currency", pa.string()),
            ("ordered_at", pa.timestamp("us")),
            ("lines", pa.list_(line)),
        ]
    )


def _orders(path: Path, rows: list[tuple]) -> None:
    """A Firehose-like Parquet file of ``(order_id, customer_id, amount, currency)`` rows."""
    at = dt.datetime(2024, 5, 1, 9)
    data = [
        {"order_id": o, "customer_id": c, "amount": None if a is None else Decimal(a), "currency": cur}
        | {"ordered_at": at, "lines": None}
        for o, c, a, cur in rows
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(data, schema=_orders_table()), path)


def test_example_flow_rejects_a_failing_file_lands_the_rest_and_reports(spark, example_synth, tmp_path, monkeypatch):
    from conform_io import read_state
    from conform_run import run_job
    from conform_spec import parse_spec

    job = _synthesized(example_synth, "aws_glue_job", lambda j: j["name"] == f"silolake-sales-{FLOW}")
    delivered = json.loads(job["default_arguments"]["--flow_spec"])
    assert delivered["silo"] == "sales" and [r["check"] for r in delivered["quality"]] == [
        "not_null",
        "min_rows",
        "unique",
        "range",
        "allowed_values",
        "pattern",
    ]
    base = tmp_path.resolve().as_uri()
    local = dict(delivered)
    for field in ("raw_path", "processed_path", "rejects_path", "quality_path"):
        local[field] = f"{base}/{delivered[field].removeprefix('s3://')}"
    raw = Path(local["raw_path"].removeprefix("file://")) / f"ingest_date={DAY}"
    _orders(raw / "a_good.parquet", [("o1", "c1", "10.00", "EUR"), ("o2", "c2", "20.00", "USD")])
    # Every warn rule violated once, plus NULLs that range, allowed_values and pattern ignore.
    _orders(
        raw / "b_warned.parquet",
        [
            ("o3", "c3", "-1.00", "EUR"),  # range
            ("o4", "c4", "5.00", "JPY"),  # allowed_values
            ("o5", "x5", "5.00", "EUR"),  # pattern
            ("o6", "c6", None, None),  # NULL amount and currency: ignored
            ("o6", "c6", "6.00", "EUR"),  # unique: o6 twice (2 rows)
        ],
    )
    _orders(raw / "c_null_customer.parquet", [("o7", "c7", "7.00", "EUR"), ("o8", None, "8.00", "EUR")])
    _orders(raw / "d_empty.parquet", [])

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        result = run_job(spark, json.dumps(local), cloudwatch=cloudwatch)
        published = {
            m: cloudwatch.get_metric_statistics(
                Namespace="Silolake/Flows",
                MetricName=m,
                Dimensions=[{"Name": "Silo", "Value": "sales"}, {"Name": "Flow", "Value": FLOW}],
                StartTime=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
                Period=60,
                Statistics=["Sum", "SampleCount"],
            )["Datapoints"]
            for m in ("RowsRead", "RowsConformed", "RowsRejected", "FilesRejected")
            + ("QualityRulesFailed", "QualityRulesWarned", "ConformRunsSucceeded")
        }
    # One data point per metric (one call per run), with the run's counts.
    assert {m: [(p["Sum"], p["SampleCount"]) for p in pts] for m, pts in published.items()} == {
        "RowsRead": [(9.0, 1.0)],
        "RowsConformed": [(7.0, 1.0)],
        "RowsRejected": [(2.0, 1.0)],
        "FilesRejected": [(2.0, 1.0)],
        "QualityRulesFailed": [(2.0, 1.0)],
        "QualityRulesWarned": [(4.0, 1.0)],
        "ConformRunsSucceeded": [(1.0, 1.0)],
    }
    assert (result.files_rejected, result.quality_failed, result.quality_warned) == (2, 2, 4)

    # Processed: the good and the warned files land (o6 once: keys dedupe); c and d stay out.
    processed = pq.read_table(local["processed_path"].removeprefix("file://")).to_pylist()
    assert sorted(r["order_id"] for r in processed) == ["o1", "o2", "o3", "o4", "o5", "o6"]
    # Rejects: one line per rejected file, with the rule, column and counts as its reason.
    rejects_dir = Path(local["rejects_path"].removeprefix("file://")) / f"ingest_date={DAY}"
    lines = [json.loads(x) for p in rejects_dir.glob("*.json") for x in p.read_text().splitlines()]
    assert sorted((Path(x["source_file"]).name, x["reason"], x.get("record")) for x in lines) == [
        (
            "c_null_customer.parquet",
            "file rejected: quality rule not_null(customer_id) failed: 1 of 2 rows violate",
            None,
        ),
        ("d_empty.parquet", "file rejected: quality rule min_rows failed: 0 rows, at least 1 required", None),
    ]
    # State: the rejected files are remembered like unreadable ones (not read, nor counted, again).
    state = read_state(spark, parse_spec(local))
    assert state is not None and state["status"] == "finished"
    assert sorted(Path(f["path"]).name for f in state["rejected_files"]) == [
        "c_null_customer.parquet",
        "d_empty.parquet",
    ]

    # Results, as Athena reads them: the synthesized table's location template and column types.
    table = _synthesized(example_synth, "aws_glue_catalog_table", lambda t: t["name"] == "silolake_quality")
    descriptor, params = table["storage_descriptor"], table["parameters"]
    assert descriptor["ser_de_info"]["serialization_library"].endswith("ParquetHiveSerDe")
    assert params["projection.enabled"] == "true" and FLOW in params["projection.flow.values"].split(",")
    template = params["storage.location.template"].replace("$${", "${")  # Terraform delivers ${...}
    folder = template.replace("${flow}", FLOW).replace("${ingest_date}", DAY)
    assert folder == delivered["quality_path"] + f"ingest_date={DAY}/", (folder, delivered["quality_path"])
    local_folder = tmp_path / folder.removeprefix("s3://")
    columns = [(c["name"], duckdb_type(parse_type(c["type"]))) for c in descriptor["columns"]]
    con = duckdb.connect()
    source = f"read_parquet('{local_folder}/*.parquet', hive_partitioning = false)"
    assert [(n, t) for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()] == columns
    rows = con.execute(
        f"SELECT regexp_extract(source_file, '[^/]+$'), rule, severity, rows_checked, rows_violating, outcome "
        f"FROM {source} ORDER BY 1, 2"
    ).fetchall()
    by_file: dict[str, list[tuple]] = {}
    for file, *rest in rows:
        by_file.setdefault(file, []).append(tuple(rest))
    assert {f: [r for r in rs if r[4] != "passed"] for f, rs in by_file.items()} == {
        "a_good.parquet": [],
        "b_warned.parquet": [
            ("allowed_values(currency)", "warn", 5, 1, "warned"),
            ("pattern(customer_id)", "warn", 5, 1, "warned"),
            ("range(amount)", "warn", 5, 1, "warned"),
            ("unique(order_id)", "warn", 5, 2, "warned"),
        ],
        "c_null_customer.parquet": [("not_null(customer_id)", "fail", 2, 1, "failed")],
        "d_empty.parquet": [("min_rows", "fail", 0, 1, "failed")],
    }
    assert all(len(rs) == 6 for rs in by_file.values())  # every rule, every file
    (run_ids,) = con.execute(f"SELECT count(DISTINCT run_id) FROM {source}").fetchone() or (0,)
    assert run_ids == 1


def _rule_spec(raw: list[dict[str, Any]], columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Rules as the framework hands them to the job (catalog model -> spec)."""
    return [r.spec() for r in rules(raw, dict(columns))]


COLUMNS = [("id", "string"), ("part", "int"), ("n", "int"), ("day", "date"), ("ok", "boolean"), ("code", "string")]
RULES = [
    {"check": "not_null", "column": "n", "on_failure": "warn"},
    {"check": "unique", "columns": ["id", "part"], "on_failure": "warn"},
    {"check": "range", "column": "n", "min": 0, "on_failure": "warn"},
    {"check": "allowed_values", "column": "n", "values": [1, 2, 3], "on_failure": "warn"},
    {"check": "allowed_values", "column": "day", "values": ["2024-05-01"], "on_failure": "warn"},
    {"check": "allowed_values", "column": "ok", "values": [True], "on_failure": "warn"},
    {"check": "pattern", "column": "code", "regex": "^[A-Z]{2}-[0-9]+$", "on_failure": "warn"},
    {"check": "min_rows", "count": 3, "on_failure": "fail"},
]


class _UnreachableCloudWatch:
    """A CloudWatch client whose every call fails (throttled, no route, no permission alike)."""

    calls = 0

    def put_metric_data(self, **kwargs: Any) -> None:
        self.calls += 1
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "PutMetricData")


def test_null_handling_and_both_outcomes_of_every_check(spark, tmp_path, capsys):
    from conform_io import read_state
    from conform_run import run_job
    from conform_spec import parse_spec

    flow = spec(tmp_path, columns=COLUMNS, keys=[], flow="checks")
    flow |= {"quality": _rule_spec(RULES, COLUMNS), "quality_path": f"{tmp_path.resolve().as_uri()}/q/"}
    flow |= {"silo": "s"}
    day = raw_partition(tmp_path, DAY, "checks")
    at = dt.datetime(2024, 5, 1, 8)
    nulls = {"id": None, "part": None, "n": None, "day": None, "ok": None, "code": None}
    good = {"id": "a", "part": 1, "n": 1, "day": "2024-05-01", "ok": True, "code": "AB-1"}
    rows = {
        # Only NULLs (unique ignores rows with a NULL in its columns; three all-NULL rows never repeat).
        "nulls.json": [nulls, nulls, nulls],
        "good.json": [good, good | {"id": "b"}, good | {"id": "a", "part": 2}],
        "bad.json": [
            good | {"n": -1, "day": "2024-05-02", "ok": False, "code": "ab-1"},
            good | {"n": 4, "code": "AB-1\n"},  # Python's $ matches before a final newline, and so does the job
            good | {"id": "a", "part": 1, "code": "AB-1\r"},  # ...but not before \r (Java's $ would)
        ],
        # Two typed rows and one type reject: min_rows counts the typed rows only.
        "short.json": [good, good | {"id": "z"}, good | {"id": "y", "n": "x"}],
    }
    for name, records in rows.items():
        write_lines(day / name, [json.dumps(r) for r in records], at)
    # The metrics cannot be published: the run still succeeds, and its state is the finished one.
    cloudwatch = _UnreachableCloudWatch()
    result = run_job(spark, json.dumps(flow), cloudwatch=cloudwatch)
    assert cloudwatch.calls == 1 and '"metrics": "not published"' in capsys.readouterr().err
    state = read_state(spark, parse_spec(flow))
    assert state is not None and state["status"] == "finished" and state["quality_warned"] == 7
    got = {
        (Path(r["source_file"]).name, r["rule"]): (r["rows_checked"], r["rows_violating"], r["outcome"])
        for r in pq.read_table(tmp_path / "q").to_pylist()
    }
    expect = {
        "nulls.json": {"not_null(n)": (3, 3, "warned")},
        "good.json": {},
        "bad.json": {
            "range(n)": (3, 1, "warned"),
            "allowed_values(n)": (3, 2, "warned"),
            "allowed_values(day)": (3, 1, "warned"),
            "allowed_values(ok)": (3, 1, "warned"),
            "pattern(code)": (3, 2, "warned"),
            "unique(id,part)": (3, 3, "warned"),
        },
        "short.json": {"min_rows": (2, 1, "failed")},
    }
    for (file, rule), value in got.items():
        assert value == expect[file].get(rule, (value[0], 0, "passed")), (file, rule, value)
    assert len(got) == 4 * len(RULES)  # every rule, every file
    assert (result.quality_failed, result.quality_warned, result.files_rejected) == (1, 7, 1)

    # A rerun over the same day (the job re-reads its newest days): processed is unchanged, the
    # rejected file is remembered (not evaluated, nor counted, again), the others are evaluated again.
    processed = sorted(map(str, pq.read_table(tmp_path / "processed" / "checks").to_pylist()))
    again = run_job(spark, json.dumps(flow), cloudwatch=cloudwatch)
    assert sorted(map(str, pq.read_table(tmp_path / "processed" / "checks").to_pylist())) == processed
    assert (again.quality_failed, again.quality_warned, again.files_rejected) == (0, 7, 1)
    results = pq.read_table(tmp_path / "q").to_pylist()
    runs = {Path(r["source_file"]).name: set() for r in results}
    for r in results:
        runs[Path(r["source_file"]).name].add(r["run_id"])
    assert {f: len(ids) for f, ids in runs.items()} == {"nulls.json": 2, "good.json": 2, "bad.json": 2, "short.json": 1}


VALUES = ["ab", "AB", "a\nb", "a\rb", "ab\n", "ab\r", "x\u2028y", "é", "١٢", "a.b", "a{b", "-", ""]
PATTERNS = ["^ab$", "a.b", "^.+$", "^[a-z]+$", "b$", "^[^\\n]*$", "\\.", "a\\{", "^(?:a|b)+$", "^[0-9]+$", "é"]


def test_accepted_patterns_answer_alike_in_java_and_python(spark):
    from pyspark.sql import functions as F

    frame = spark.createDataFrame([(v,) for v in VALUES], "v string")
    for pattern in PATTERNS:
        java = [r[0] for r in frame.select(F.col("v").rlike(java_regex(pattern))).collect()]
        python = [re.search(pattern, v) is not None for v in VALUES]
        assert java == python, (pattern, java_regex(pattern), list(zip(VALUES, java, python, strict=True)))
