"""silolake.policy.sharing: the OU-path scoped statements, as pure data (no cdktf import).

What is deployed is checked on the synthesized JSON (test_datalake_stack,
test_analytics_stack) and evaluated with a real policy engine (test_segregation).
"""

from __future__ import annotations

import dataclasses

import pytest

from silolake.aws import names
from silolake.catalog.model import OrgLayout
from silolake.policy import sharing

LAYOUT = OrgLayout("o-abcdefghij", "r-ab12", "ou-ab12-11111111", "ou-ab12-22222222", "ou-ab12-33333333")
SILOS_PATTERN = "o-abcdefghij/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*"
ANALYTICS_PATTERN = "o-abcdefghij/r-ab12/ou-ab12-11111111/ou-ab12-33333333/*"


@pytest.fixture
def catalog(example_catalog):
    return dataclasses.replace(example_catalog, layout=LAYOUT)


def with_silo(catalog, name, **changes):
    silos = tuple(dataclasses.replace(s, **changes) if s.name == name else s for s in catalog.silos)
    return dataclasses.replace(catalog, silos=silos)


def allows(statements):
    return [s for s in statements if s["Effect"] == "Allow"]


def test_org_path_pattern_covers_the_ou_and_below():
    assert sharing.org_path_pattern("o-x/r-y/ou-a/") == "o-x/r-y/ou-a/*"
    with pytest.raises(ValueError):
        sharing.org_path_pattern("o-x/r-y/ou-a")  # would also match ou-a-something-else


def test_principal_scope_uses_the_right_operators():
    scope = sharing.principal_scope(LAYOUT, LAYOUT.silos_path, ["arn:aws:iam::*:role/silolake-*-pipeline"])
    assert scope == {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"},
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": SILOS_PATTERN},
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"},
    }


def test_artifacts_bucket_grants_read_to_silo_pipelines_in_the_silos_ou(catalog):
    stmts = sharing.artifacts_bucket_statements(catalog, "bkt")
    by_sid = {s["Sid"]: s for s in stmts}
    read, listing = by_sid["SiloPipelinesReadOwnBundles"], by_sid["SiloPipelinesListOwnBundles"]
    assert read["Principal"] == listing["Principal"] == {"AWS": "*"}
    assert read["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert read["Resource"] == "arn:aws:s3:::bkt/bundles/${aws:PrincipalAccount}/*"
    assert listing["Action"] == ["s3:ListBucket"] and listing["Resource"] == "arn:aws:s3:::bkt"
    assert listing["Condition"]["StringLike"] == {"s3:prefix": "bundles/${aws:PrincipalAccount}/*"}
    for s in (read, listing):
        assert s["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"}
        assert s["Condition"]["ForAnyValue:StringLike"] == {"aws:PrincipalOrgPaths": SILOS_PATTERN}
    # Every object mutation is denied to all but the publisher ...
    deny = by_sid["OnlyPublisherWrites"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"} and deny["Resource"] == "arn:aws:s3:::bkt/*"
    assert {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} <= set(deny["Action"])
    assert deny["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::222222222222:role/{names.datalake_role('publisher')}"}
    }
    # ... and no statement allows a write except the publisher's, pinned to its role ARN.
    writers = [s for s in stmts if s["Effect"] == "Allow" and any(a.startswith("s3:Put") for a in s["Action"])]
    assert [w["Sid"] for w in writers] == ["PublisherWritesBundles"]
    assert writers[0]["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert writers[0]["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::222222222222:role/{names.datalake_role('publisher')}"}
    }


def test_artifacts_key_decrypts_only_through_s3(catalog):
    [stmt] = sharing.artifacts_key_statements(catalog)
    assert stmt["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert stmt["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"
    assert stmt["Condition"]["ForAnyValue:StringLike"] == {"aws:PrincipalOrgPaths": SILOS_PATTERN}


def test_without_organization_ids_nothing_is_shared(example_catalog):
    catalog = dataclasses.replace(example_catalog, layout=None)
    assert [s["Sid"] for s in sharing.artifacts_bucket_statements(catalog, "b")] == [
        "OnlyPublisherWrites",
        "PublisherWritesBundles",
    ]
    assert sharing.artifacts_key_statements(catalog) == []
    for silo in catalog.deployable_silos:
        assert sharing.processed_bucket_statements(catalog, silo) == []
        assert sharing.processed_key_statements(catalog, silo) == []
        assert sharing.glue_catalog_policy(catalog, silo) is None
    assert any("silolake bootstrap" in n for n in sharing.notices(catalog))


def test_processed_bucket_one_read_only_statement_per_entitled_consumer(catalog):
    sales = catalog.silo("sales")
    stmts = sharing.processed_bucket_statements(catalog, sales)
    assert [s["Sid"] for s in stmts] == ["AnalyticsReadCompanyBi", "AnalyticsReadFinanceAudit"]
    bucket = names.silo_bucket("acme", "sales", "processed", "444444444444", "eu-west-1")
    for s in stmts:
        assert s["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
        assert set(s["Action"]) == {"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"}
        assert s["Condition"]["ForAnyValue:StringLike"] == {"aws:PrincipalOrgPaths": ANALYTICS_PATTERN}
    assert stmts[0]["Condition"]["ArnLike"] == {
        "aws:PrincipalArn": ["arn:aws:iam::333333333333:role/bi-analyst", "arn:aws:iam::333333333333:role/bi-service"]
    }
    assert stmts[1]["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::777777777777:role/auditor"}


def test_silo_outside_a_consumers_list_grants_it_nothing(catalog):
    facilities = catalog.silo("facilities")  # finance-audit reads only sales and logistics
    sids = [s["Sid"] for s in sharing.processed_bucket_statements(catalog, facilities)]
    assert sids == ["AnalyticsReadCompanyBi"]
    assert [s["Sid"] for s in sharing.processed_key_statements(catalog, facilities)] == ["AnalyticsDecryptCompanyBi"]
    glue = sharing.glue_catalog_policy(catalog, facilities)
    assert [s["Sid"] for s in glue["Statement"]] == ["AnalyticsCatalogReadCompanyBi"]


def test_decommissioned_silo_shares_nothing(catalog):
    catalog = with_silo(catalog, "sales", decommission=True)
    sales = catalog.silo("sales")
    assert sharing.processed_bucket_statements(catalog, sales) == []
    assert sharing.processed_key_statements(catalog, sales) == []
    assert sharing.glue_catalog_policy(catalog, sales) is None
    assert "silo 'sales' is decommissioned: it shares nothing with analytics consumers." in sharing.notices(catalog)


def test_processed_key_decrypt_only_via_s3_and_glue_of_the_silo_region(catalog):
    logistics = catalog.silo("logistics")
    for s in sharing.processed_key_statements(catalog, logistics):
        assert s["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
        assert s["Condition"]["StringEquals"]["kms:ViaService"] == [
            "glue.eu-central-1.amazonaws.com",
            "s3.eu-central-1.amazonaws.com",
        ]


def test_glue_policy_is_read_only_and_limited_to_the_silo_database(catalog):
    sales = catalog.silo("sales")
    doc = sharing.glue_catalog_policy(catalog, sales)
    for s in doc["Statement"]:
        assert all(a.startswith(("glue:Get", "glue:BatchGet")) for a in s["Action"])
        assert s["Resource"] == [
            "arn:aws:glue:eu-west-1:444444444444:catalog",
            "arn:aws:glue:eu-west-1:444444444444:database/silo_sales",
            "arn:aws:glue:eu-west-1:444444444444:table/silo_sales/*",
        ]
        # Glue refuses wildcard principals: the consumer account, narrowed by condition.
        assert s["Principal"]["AWS"].endswith(":root")
        assert s["Condition"]["ForAnyValue:StringLike"] == {"aws:PrincipalOrgPaths": ANALYTICS_PATTERN}


def test_sids_are_alphanumeric():
    assert sharing._sid("AnalyticsRead", "company-bi_2") == "AnalyticsReadCompanyBi2"
