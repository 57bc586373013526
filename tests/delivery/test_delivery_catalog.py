"""The catalog's ``delivery.pipeline`` section: defaults from the schema, located mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.delivery import DeliveryPipeline

from ..conftest import CATALOG_HEADER, EXAMPLE


def catalog_with(tmp_path: Path, delivery: str):
    path = tmp_path / "silos.yaml"
    path.write_text(CATALOG_HEADER.replace("silos:\n", delivery + "silos:\n") + "  []\n")
    return path


def test_the_example_turns_the_master_pipeline_on():
    assert load_catalog(EXAMPLE).master_pipeline == DeliveryPipeline(
        connection_provider="GitHub",
        repository="acme/datalake",
        branch="main",
        s3_bucket=None,
        s3_key=None,
        compute_type="BUILD_GENERAL1_MEDIUM",
        build_timeout_minutes=120,
    )


def test_without_the_section_there_is_no_pipeline(tmp_path):
    assert load_catalog(catalog_with(tmp_path, "")).master_pipeline is None
    assert load_catalog(catalog_with(tmp_path, "delivery: {}\n")).master_pipeline is None


def test_defaults_come_from_the_schema_and_an_s3_source_is_read(tmp_path):
    spec = load_catalog(
        catalog_with(
            tmp_path, "delivery:\n  pipeline:\n    source:\n      s3: {bucket: acme-src, key: repo/main.zip}\n"
        )
    ).master_pipeline
    assert spec is not None and not spec.uses_connection
    assert (spec.s3_bucket, spec.s3_key, spec.build_timeout_minutes) == ("acme-src", "repo/main.zip", 120)
    conn = load_catalog(
        catalog_with(
            tmp_path, "delivery:\n  pipeline:\n    source:\n      connection: {provider: GitLab, repository: a/b/c}\n"
        )
    ).master_pipeline
    assert conn is not None and conn.uses_connection and conn.branch == "main"


@pytest.mark.parametrize(
    ("source", "where"),
    [
        (
            "{connection: {provider: GitHub, repository: a/b}, s3: {bucket: abc, key: x.zip}}",
            "delivery.pipeline.source",
        ),
        ("{}", "delivery.pipeline.source"),
        ("{connection: {provider: CodeCommit, repository: a/b}}", "delivery.pipeline.source.connection.provider"),
        ("{connection: {provider: GitHub, repository: nope}}", "delivery.pipeline.source.connection.repository"),
        ("{s3: {bucket: abc, key: repo.tar}}", "delivery.pipeline.source.s3.key"),
    ],
)
def test_mistakes_are_located(tmp_path, source, where):
    path = catalog_with(tmp_path, f"delivery:\n  pipeline:\n    source: {source}\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    lines = [str(p) for p in err.value.problems]
    assert any(f": {where}: " in line for line in lines), lines


@pytest.mark.parametrize(
    ("source", "given"),
    [
        ("{connection: {provider: GitHub, repository: a/b}, s3: {bucket: acme-src, key: a.zip}}", "connection, s3"),
        ("{}", "none"),
    ],
)
def test_a_source_with_both_or_neither_kind_says_to_give_exactly_one(tmp_path, source, given):
    path = catalog_with(tmp_path, f"delivery:\n  pipeline:\n    source: {source}\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    [line] = [str(p) for p in err.value.problems]
    assert line.endswith(
        f"delivery.pipeline.source: Where the repository comes from: exactly one of connection or s3. (given: {given})"
    )
