"""HTTPS API, end to end: the owner creates an ``api`` credential, the partner opens a session
and signs ``execute-api:Invoke`` on the flow's routes (allowed; another silo's API denied),
Firehose's record format conversion is emulated by writing Parquet with the schema of the
Glue table the stream names, under the prefix the stream's expression yields; the conform
job writes processed Parquet and DuckDB reads it back with the synthesized table types.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.catalog.types import parse_type

from ..runtime.conform.test_reader_agrees import arrow_type
from . import lake
from .conftest import ACCOUNT, ALLOWED, ARRIVAL, REGION, STACK, Identity, Request, Silo

pytestmark = pytest.mark.slow

PARTNER, FLOW = "erin", "orders"  # orders: source api (silos.yaml)
AT = dt.datetime(2026, 5, 4, 9, 0)


def _order(i: int, amount: str, currency: str = "EUR") -> dict[str, Any]:
    """One record as the partner posts it, typed as Firehose's JSON deserializer reads it."""
    return {
        "order_id": f"o{i}",
        "customer_id": f"c{i}",
        "amount": Decimal(amount),
        "currency": currency,
        "ordered_at": AT + dt.timedelta(minutes=i),
        "lines": [{"sku": f"s{i}", "qty": i, "unit_price": Decimal(amount)}],
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


@pytest.mark.xfail(strict=True, reason="credentials are not tied to flows yet (issue 19, item 3)")
def test_the_partner_may_not_invoke_another_flows_route(silo: Silo, partner: Identity) -> None:
    [route, *_] = lake.iam_routes(silo.delivery, STACK, REGION, ACCOUNT)
    other = route.replace(f"/flows/{FLOW}/", "/flows/price_lists/")
    assert silo.decide(partner, [Request("other flow", "execute-api:Invoke", other)]) != {"other flow": ALLOWED}


def test_records_delivered_by_firehose_are_conformed_and_read_back_typed(silo: Silo, partner: Identity, spark) -> None:
    stream = lake.firehose_stream(silo.delivery, STACK, FLOW)
    conversion = stream["data_format_conversion_configuration"]
    assert conversion["enabled"] and "parquet_ser_de" in json.dumps(conversion["output_format_configuration"])
    table = lake.glue_table(silo.delivery, STACK, conversion["schema_configuration"]["table_name"])
    schema = pa.schema([(c["name"], arrow_type(parse_type(c["type"]))) for c in table["storage_descriptor"]["columns"]])
    records = [_order(1, "10.00"), _order(2, "20.50"), _order(3, "30.00", currency="EURO")]  # o3: char(3) too long
    body = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records, schema=schema), body, compression="snappy")
    # Firehose's object name: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random><file_extension>.
    name = f"acme-sales-orders-1-{ARRIVAL:%Y-%m-%d-%H-%M-%S}-0f1e2d3c{stream['file_extension']}"
    key = lake.firehose_prefix(stream["prefix"], ARRIVAL) + name
    assert key.startswith(f"{FLOW}/ingest_date={ARRIVAL.date().isoformat()}/"), key
    bucket = silo.raw
    assert stream["bucket_arn"] == f"arn:aws:s3:::{bucket}"
    silo.client("s3").put_object(Bucket=bucket, Key=key, Body=body.getvalue())

    result, rows = silo.conform(spark, FLOW)
    assert (result.rows_read, result.rows_rejected) == (3, 1)
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
