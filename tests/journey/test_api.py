"""HTTPS API, end to end: the owner creates an ``api`` credential, the partner opens a session
and signs ``execute-api:Invoke`` on the flow's routes (allowed; another silo's API denied).
The body the partner posts passes the route's delivered request model and mapping template
(evaluated by the Velocity evaluator of ``tests/constructs/ingestion/test_mapping_template.py``) into Firehose's
request; Firehose's record format conversion is emulated by writing Parquet with the schema
of the Glue table the stream names, under the prefix the stream's expression yields; the
conform job writes processed Parquet and DuckDB reads it back with the synthesized types.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.catalog.types import parse_type
from tests.constructs.ingestion.test_mapping_template import decoded, render

from ..delivered import placeholder
from ..runtime.conform.test_reader_agrees import arrow_type
from . import lake
from .conftest import ACCOUNT, ALLOWED, ARRIVAL, REGION, STACK, Identity, Request, Silo

pytestmark = pytest.mark.slow

PARTNER, FLOW = "erin", "orders"  # orders: source api (silos.yaml)
AT = dt.datetime(2026, 5, 4, 9, 0)


def _posted(i: int, amount: str, currency: str = "EUR") -> dict[str, Any]:
    """One order as the partner's client posts it (JSON: decimals and timestamps as text)."""
    return {
        "order_id": f"o{i}",
        "customer_id": f"c{i}",
        "amount": amount,
        "currency": currency,
        "ordered_at": f"{AT + dt.timedelta(minutes=i):%Y-%m-%d %H:%M:%S}",
        "lines": [{"sku": f"s{i}", "qty": i, "unit_price": amount}],
    }


@pytest.fixture(scope="module")
def partner(silo: Silo) -> Identity:
    password = silo.create_credential(PARTNER, ["api"])
    answer, call = silo.open_session(PARTNER, password)
    assert answer["channels"] == ["api"]
    return silo.identity(PARTNER, call["RoleSessionName"], json.loads(call["Policy"]))


def test_the_partner_may_invoke_the_flow_routes_and_no_other_silos(silo: Silo, partner: Identity, example_catalog):
    own = lake.iam_routes(silo.delivery, STACK, REGION, ACCOUNT)
    assert own and all(f"/POST/flows/{FLOW}/" in r for r in own), own
    other = next(
        s
        for s in example_catalog.deployable_silos
        if s.name != "sales" and silo.delivery.resources(s.stack_name, "aws_api_gateway_method")
    )
    foreign = lake.iam_routes(silo.delivery, other.stack_name, other.region, other.account_id)
    requests = [Request(f"own {r}", "execute-api:Invoke", r) for r in own]
    requests += [Request(f"other silo {r}", "execute-api:Invoke", r) for r in foreign]
    got = silo.decide(partner, requests)
    assert {n: d for n, d in got.items() if d == ALLOWED} == {f"own {r}": ALLOWED for r in own}


def test_the_partner_may_not_invoke_another_flows_route(silo: Silo, partner: Identity) -> None:
    [route, *_] = lake.iam_routes(silo.delivery, STACK, REGION, ACCOUNT)
    other = route.replace(f"/flows/{FLOW}/", "/flows/price_lists/")
    assert silo.decide(partner, [Request("other flow", "execute-api:Invoke", other)]) != {"other flow": ALLOWED}


def test_records_posted_to_the_flow_api_are_conformed_and_read_back_typed(silo: Silo, partner: Identity, spark) -> None:
    # API Gateway: the method's request model (JSON Schema draft 4) admits the partner's body,
    # the integration's mapping template turns it into Firehose's PutRecordBatch request.
    body = {"records": [_posted(1, "10.00"), _posted(2, "20.50"), _posted(3, "30.00", currency="EURO")]}
    model, template = lake.flow_route(silo.delivery, STACK, FLOW, "batch")
    jsonschema.Draft4Validator(model).validate(body)
    request = json.loads(render(template, body))
    stream = lake.firehose_stream(silo.delivery, STACK, FLOW)
    streams = {s["name"] for s in silo.delivery.resources(STACK, "aws_kinesis_firehose_delivery_stream").values()}
    assert request["DeliveryStreamName"] in streams
    lines = [json.loads(decoded(r["Data"])) for r in request["Records"]]
    assert lines == body["records"]

    # Firehose: record format conversion (OpenX JSON in, Parquet out) with the schema of the Glue
    # table the stream names, delivered under the prefix its expression yields for the arrival.
    conversion = stream["data_format_conversion_configuration"]
    assert conversion["enabled"] and "parquet_ser_de" in json.dumps(conversion["output_format_configuration"])
    assert "open_x_json_ser_de" in json.dumps(conversion["input_format_configuration"])
    table = lake.glue_table(silo.delivery, STACK, conversion["schema_configuration"]["table_name"])
    columns = [(c["name"], arrow_type(parse_type(c["type"]))) for c in table["storage_descriptor"]["columns"]]
    arrow_schema = pa.schema(columns)
    parquet = io.BytesIO()
    pq.write_table(
        pa.Table.from_pylist(lines).select(arrow_schema.names).cast(arrow_schema), parquet, compression="snappy"
    )
    # Firehose's object name: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random><file_extension>.
    name = f"{request['DeliveryStreamName']}-1-{ARRIVAL:%Y-%m-%d-%H-%M-%S}-0f1e2d3c{stream['file_extension']}"
    key = lake.firehose_prefix(stream["prefix"], ARRIVAL) + name
    assert key.startswith(f"{FLOW}/ingest_date={ARRIVAL.date().isoformat()}/"), key
    [raw] = [k for k, b in silo.delivery.resources(STACK, "aws_s3_bucket").items() if b["bucket"] == silo.raw]
    assert stream["bucket_arn"] == placeholder(f"aws_s3_bucket.{raw}.arn")  # the raw bucket's ARN, after apply
    silo.client("s3").put_object(Bucket=silo.raw, Key=key, Body=parquet.getvalue())

    result, rows = silo.conform(spark, FLOW)
    assert (result.rows_read, result.rows_rejected) == (3, 1)  # o3: char(3) too long
    day = ARRIVAL.date().isoformat()
    assert rows == [
        {
            "order_id": f"o{i}",
            "customer_id": f"c{i}",
            "amount": Decimal(amount),
            "currency": "EUR",
            "ordered_at": AT + dt.timedelta(minutes=i),
            "lines": [{"sku": f"s{i}", "qty": i, "unit_price": Decimal(amount)}],
            "ingest_date": day,
        }
        for i, amount in ((1, "10.00"), (2, "20.50"))
    ]
