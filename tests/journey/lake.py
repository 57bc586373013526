"""What a journey reads from the delivered stacks, and the steps after the partner's request.

Everything a step needs is taken from the synthesized stacks as Terraform delivers them
(:mod:`tests.delivered`): the functions' environment, the bucket, key and service control
policies, the conform job's ``--flow_spec``, the Glue tables' column types and the Firehose
stream's ``prefix``. Nothing here restates what the catalog or the framework decides.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import duckdb

from silolake.catalog.types import parse_type

from ..delivered import Delivery
from ..runtime.conform.test_reader_agrees import duckdb_type

#: Firehose's ``!{timestamp:<Java date pattern>}`` expression in an S3 prefix.
_TIMESTAMP = re.compile(r"!\{timestamp:([^}]+)\}")
#: A REST API resource's id in a delivered stack (known after apply: a placeholder).
_RESOURCE_REF = re.compile(r"aws_api_gateway_resource\.([^.]+)\.id")
_JAVA_PATTERN = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def one(found: list[Any], what: str) -> Any:
    assert len(found) == 1, f"{len(found)} {what}"
    return found[0]


def function_env(delivery: Delivery, stack: str, function_name: str) -> dict[str, str]:
    """The ``environment.variables`` of the Lambda function named ``function_name``."""
    functions = delivery.resources(stack, "aws_lambda_function").values()
    fn = one([f for f in functions if f["function_name"] == function_name], f"functions {function_name}")
    return dict(fn["environment"]["variables"])


def bucket_policy(delivery: Delivery, bucket: str) -> tuple[str, dict]:
    """``(stack, policy)`` of the bucket named ``bucket`` in whichever stack deploys it (the
    delivered ``bucket`` argument is the name: a reference to the bucket's id resolves to it)."""
    found = [
        (name, json.loads(p["policy"]))
        for name in delivery.stacks
        for p in delivery.resources(name, "aws_s3_bucket_policy").values()
        if p["bucket"] == bucket
    ]
    return one(found, f"policies of bucket {bucket}")  # type: ignore[no-any-return]


def key_policy(delivery: Delivery, stack: str) -> dict:
    """The policy of the one customer managed key of ``stack`` (the silo key)."""
    keys = list(delivery.resources(stack, "aws_kms_key").values())
    return json.loads(one(keys, f"keys in {stack}")["policy"])  # type: ignore[no-any-return]


def glue_table(delivery: Delivery, stack: str, name: str) -> dict:
    tables = delivery.resources(stack, "aws_glue_catalog_table").values()
    return one([t for t in tables if t["name"] == name], f"tables {name}")  # type: ignore[no-any-return]


def flow_spec(delivery: Delivery, stack: str, flow: str, root: Path) -> dict[str, Any]:
    """The ``--flow_spec`` of the flow's conform job, every ``s3://<bucket>/`` read as ``<root>/<bucket>/``."""
    jobs = [
        json.loads(job["default_arguments"]["--flow_spec"])
        for job in delivery.resources(stack, "aws_glue_job").values()
        if "--flow_spec" in job.get("default_arguments", {})
    ]
    spec: dict[str, Any] = one([s for s in jobs if s["flow"] == flow], f"conform jobs of {flow}")
    for field in ("raw_path", "processed_path", "rejects_path", *(["quality_path"] if "quality_path" in spec else [])):
        assert spec[field].startswith("s3://"), spec[field]
        spec[field] = f"{root.resolve().as_uri()}/{spec[field].removeprefix('s3://')}"
    return spec


def firehose_stream(delivery: Delivery, stack: str, flow: str) -> dict:
    """``extended_s3_configuration`` of the flow's delivery stream (its Glue table names the flow)."""
    streams = [
        s["extended_s3_configuration"]
        for s in delivery.resources(stack, "aws_kinesis_firehose_delivery_stream").values()
        if s["extended_s3_configuration"]["prefix"].startswith(f"{flow}/")
    ]
    return one(streams, f"streams of {flow}")  # type: ignore[no-any-return]


def firehose_prefix(expression: str, when: dt.datetime) -> str:
    """The S3 prefix Firehose evaluates from ``expression`` for a record arriving at ``when``
    (UTC; only the ``!{timestamp:...}`` namespace, the one the framework uses). Firehose
    Developer Guide, "Custom prefixes for Amazon S3 objects"."""

    def stamp(match: re.Match[str]) -> str:
        pattern = match.group(1)
        for java, c in _JAVA_PATTERN.items():
            pattern = pattern.replace(java, c)
        return when.strftime(pattern)

    evaluated = _TIMESTAMP.sub(stamp, expression)
    assert "!{" not in evaluated, f"an expression this emulation does not evaluate: {expression}"
    return evaluated


def download(s3: Any, bucket: str, prefix: str, root: Path) -> list[str]:
    """Copy every object under ``prefix`` to ``<root>/<bucket>/<key>``; returns the keys."""
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    for key in keys:
        path = root / bucket / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return keys


def read_processed(delivery: Delivery, stack: str, flow: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The flow's processed rows read by DuckDB declaring exactly the synthesized processed table's
    column and partition types (as Athena reads the table); asserts DuckDB sees those types."""
    table = glue_table(delivery, stack, f"{flow}_processed")
    descriptor = table["storage_descriptor"]
    # Athena reads the table's location with its SerDe: the job must write exactly there, Parquet.
    location = descriptor["location"]
    assert spec["processed_path"].rstrip("/").endswith("/" + location.removeprefix("s3://").rstrip("/")), (
        spec["processed_path"],
        location,
    )
    assert (
        descriptor["ser_de_info"]["serialization_library"]
        == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert descriptor["input_format"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    # The pipeline registers partitions with MSCK REPAIR TABLE, which adds only Hive-style
    # folders <key>=<value>/..., the partition keys in the table's order.
    keys = [p["name"] for p in table["partition_keys"]]
    root = Path(spec["processed_path"].removeprefix("file://"))
    for file in root.rglob("*.parquet"):
        folders = file.relative_to(root).parts[:-1]
        assert [f.split("=", 1)[0] for f in folders] == keys, (file, keys)
    columns = [(c["name"], duckdb_type(parse_type(c["type"]))) for c in table["storage_descriptor"]["columns"]]
    partitions = [(p["name"], duckdb_type(parse_type(p["type"]))) for p in table["partition_keys"]]
    hive = ", ".join(f"'{n}': '{t}'" for n, t in partitions)
    source = (
        f"read_parquet('{spec['processed_path'].removeprefix('file://')}**/*.parquet', "
        f"hive_partitioning = true, hive_types = {{{hive}}})"
    )
    con = duckdb.connect()
    described = [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    assert described == columns + partitions, (described, columns + partitions)
    names = [n for n, _ in columns + partitions]
    rows = con.execute(f"SELECT {', '.join(names)} FROM {source} ORDER BY ALL").fetchall()
    return [dict(zip(names, row, strict=True)) for row in rows]


def iam_routes(delivery: Delivery, stack: str, region: str, account: str) -> list[str]:
    """The ``execute-api:Invoke`` ARN of every ``AWS_IAM`` method of the stack's REST API
    (``arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>``; API Gateway
    Developer Guide, "Control access to a REST API with IAM permissions")."""
    [api_id] = {s["rest_api_id"] for s in delivery.resources(stack, "aws_api_gateway_stage").values()}
    [stage] = {s["stage_name"] for s in delivery.resources(stack, "aws_api_gateway_stage").values()}
    resources = delivery.resources(stack, "aws_api_gateway_resource")

    def path(logical: str) -> str:
        parent = _RESOURCE_REF.search(resources[logical]["parent_id"])
        own = resources[logical]["path_part"]
        return f"{path(parent.group(1))}/{own}" if parent else own

    return sorted(
        f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{m['http_method']}/"
        + path(_RESOURCE_REF.search(m["resource_id"]).group(1))  # type: ignore[union-attr]
        for m in delivery.resources(stack, "aws_api_gateway_method").values()
        if m["authorization"] == "AWS_IAM"
    )


def flow_route(delivery: Delivery, stack: str, flow: str, leaf: str) -> tuple[dict, str]:
    """``(request model schema, request template)`` of ``POST /flows/<flow>/<leaf>`` of the
    stack's REST API: what API Gateway validates the body with and hands Firehose."""
    resources = delivery.resources(stack, "aws_api_gateway_resource")

    def logical_of(value: str) -> str:
        match = _RESOURCE_REF.search(value)
        assert match, value
        return match.group(1)

    [flow_id] = [k for k, r in resources.items() if r["path_part"] == flow]
    [leaf_id] = [k for k, r in resources.items() if r["path_part"] == leaf and logical_of(r["parent_id"]) == flow_id]
    methods = delivery.resources(stack, "aws_api_gateway_method").values()
    method = one([m for m in methods if logical_of(m["resource_id"]) == leaf_id], f"methods of {flow}/{leaf}")
    models = delivery.resources(stack, "aws_api_gateway_model").values()
    model_name = method["request_models"]["application/json"]
    model = one([m for m in models if m["name"] == model_name], f"models {model_name}")
    integrations = delivery.resources(stack, "aws_api_gateway_integration").values()
    integration = one([i for i in integrations if logical_of(i["resource_id"]) == leaf_id], f"integrations of {leaf}")
    return json.loads(model["schema"]), integration["request_templates"]["application/json"]
