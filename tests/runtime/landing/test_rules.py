"""Pure rules of the landing function."""

from __future__ import annotations

import gzip
import json

import pytest
from landing import rules  # on sys.path through conftest.py

CSV = rules.FlowRule("reports", "csv", 100, ("a", "b"), ";", True)


def test_key_layout() -> None:
    assert rules.parse_key("acme/orders/x.csv") == rules.DropKey("acme", "orders", "x.csv")
    for key in ("x.csv", "acme/x.csv", "acme/orders/sub/x.csv", "acme//x.csv", "/orders/x.csv", "a/b/.."):
        assert rules.parse_key(key) is None, key


def test_raw_and_quarantine_keys_follow_the_layouts() -> None:
    drop = rules.DropKey("acme", "orders", "x.csv")
    assert rules.raw_key(drop, rules.ingest_date("2024-05-01T23:59:59Z")) == "orders/ingest_date=2024-05-01/acme__x.csv"
    assert rules.ingest_date("2024-05-01T23:30:00-01:00") == "2024-05-02"
    assert rules.quarantine_key("acme/orders/x.csv") == "_quarantine/acme/orders/x.csv"


def test_csv_header_checks_read_only_the_head() -> None:
    assert rules.check_content(CSV, "x.csv", b"\xef\xbb\xbfA ; b\r\n1;2\n", b"", complete=True) is None  # BOM, CRLF
    assert rules.check_content(CSV, "x.csv", b"a;b", b"", complete=True) is None  # header only, no newline
    assert rules.check_content(CSV, "x.csv", b"a;" + b"b" * 10, b"", complete=False) == (
        f"CSV header line longer than {rules.HEAD_BYTES} bytes"
    )
    assert rules.check_content(CSV, "x.csv.gz", gzip.compress(b"a;b\n" + b"1;2\n" * 50000)[:200], b"", False) is None
    assert rules.check_content(CSV, "x.csv.gz", b"not gzip", b"", True).startswith("not a readable gzip file")
    assert rules.check_content(CSV, "x.csv", b"b;a\n", b"", True) == (
        "CSV header 'b;a' does not match the flow's columns 'a;b'"
    )
    headerless = rules.FlowRule("reports", "csv", 100, ("a", "b"), ";", False)
    assert rules.check_content(headerless, "x.csv", b"1;2\n", b"", True) is None


def test_names_and_sizes() -> None:
    assert rules.check_name(CSV, "X.CSV") is None and rules.check_name(CSV, "x.csv.gz") is None
    assert rules.check_name(rules.FlowRule("p", "parquet", 1), "x.parquet.gz") is not None
    assert rules.check_size(CSV, 100) is None
    assert rules.check_size(CSV, 101) == "file of 101 bytes exceeds the flow's limit of 100 bytes"


def test_metadata_and_tag_values_are_what_s3_accepts() -> None:
    assert rules.metadata_value("köln/x.csv") == "k%C3%B6ln/x.csv"
    assert rules.tag_value("CSV header 'b;a' (x) <y>") == "CSV header  b a   x   y "
    assert len(rules.tag_value("x" * 300)) == 256


@pytest.mark.parametrize(
    ("flows", "message"),
    [
        ("{", "FLOWS is not JSON"),
        ('{"Orders": {"format": "csv", "max_bytes": 1}}', "must be a flow name"),
        ('{"orders": {"format": "xml", "max_bytes": 1}}', "format must be one of"),
        ('{"orders": {"format": "json", "max_bytes": 0}}', "max_bytes must be a positive integer"),
        ('{"orders": {"format": "csv", "max_bytes": 1, "csv": {"delimiter": ";;"}, "columns": ["a"]}}', "csv must be"),
        ('{"orders": {"format": "csv", "max_bytes": 1}}', "declares no columns"),
        ('{"orders": {"format": "json", "max_bytes": 1, "raw": "../x"}}', "raw must be a flow's data name"),
    ],
)
def test_bad_configuration_is_refused(flows: str, message: str) -> None:
    with pytest.raises(rules.ConfigError, match=message):
        rules.parse_flows(flows)


def test_handler_configuration_names_missing_variables() -> None:
    import handler

    with pytest.raises(rules.ConfigError, match="missing environment variables: KMS_KEY_ARN, FLOWS"):
        handler.load_config({"RAW_BUCKET": "b"})
    config = handler.load_config(
        {"RAW_BUCKET": "b", "KMS_KEY_ARN": "arn:k", "FLOWS": json.dumps({"orders": {"format": "json", "max_bytes": 5}})}
    )
    assert config.flows["orders"] == rules.FlowRule("orders", "json", 5)


def test_header_check_rejects_bytes_that_are_not_utf8() -> None:
    latin1 = "a;b\nZoë;2\n".encode("latin-1")
    assert rules.check_content(CSV, "x.csv", latin1, b"", True) == "not UTF-8 text (invalid byte at offset 6)"
    assert rules.check_content(CSV, "x.csv.gz", gzip.compress(latin1), b"", True) == (
        "not UTF-8 text (invalid byte at offset 6)"
    )
    assert rules.check_content(CSV, "x.csv", "a;b\n1;é".encode()[:-1], b"", False) is None  # cut mid-character


def test_raw_key_writes_gz_suffix_in_lower_case() -> None:
    drop = rules.DropKey("acme", "orders", "X.CSV.GZ")
    assert rules.raw_key(drop, "2024-05-01") == "orders/ingest_date=2024-05-01/acme__X.CSV.gz"
