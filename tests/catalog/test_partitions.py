"""Partitions in the catalog (``silolake/catalog/partitions.py``, issue 23): an organization in
AWS GovCloud (US) validates, with what GovCloud does not offer refused where the catalog asks
for it; ISO and China regions, and a region of another partition than the home region's, are
refused, located."""

from __future__ import annotations

from silolake.catalog.partitions import GOVCLOUD_REFUSED, REFUSED
from tests.catalog.test_validation import MINIMAL, S, mutate, problems  # noqa: F401 (fixture)

#: ``minimal.yaml`` moved to GovCloud: home us-gov-west-1, a silo in us-gov-east-1.
GOV = mutate(
    "home_region: eu-west-1",
    "home_region: us-gov-west-1",
    "allowed_regions: [eu-west-1, eu-central-1]",
    "allowed_regions: [us-gov-west-1, us-gov-east-1]",
    "    email: aws-hr@acme.example\n",
    '    account_id: "555555555555"\n    region: us-gov-east-1\n',
)
#: The same with the one silo that takes partner data reduced to storage (no flows, no channels).
GOV_STORAGE_ONLY = GOV[: GOV.index("    ingestion:\n")] + GOV[GOV.index("  - name: hr") :]
PARTNER = GOVCLOUD_REFUSED["partner_access"]


def test_a_govcloud_organization_without_partner_channels_is_valid(problems) -> None:  # noqa: F811
    assert problems(GOV_STORAGE_ONLY) == []


def test_govcloud_refuses_what_needs_cloudfront_where_the_catalog_asks(problems) -> None:  # noqa: F811
    """Each refusal says the fix: remove the channel or the flow (a GovCloud silo holds none yet)."""
    no_flows = "a silo in AWS GovCloud (US) holds no flows yet"
    assert problems(GOV) == [
        f"{S}:23:18: silos[0].ingestion.sftp.enabled: sftp is not available in AWS GovCloud (US): {PARTNER}. "
        f"Remove the sftp channel (or set enabled: false): {no_flows}",
        f"{S}:26:18: silos[0].ingestion.web_upload.enabled: web_upload is not available in AWS GovCloud (US): "
        f"{PARTNER}. Remove the web_upload channel (or set enabled: false): {no_flows}",
        f"{S}:29:17: silos[0].flows[0].source: 'api' flows are not available in AWS GovCloud (US): {PARTNER}. "
        f"Remove the flow: {no_flows}",
        f"{S}:37:17: silos[0].flows[1].source: 'sftp' flows are not available in AWS GovCloud (US): {PARTNER}. "
        f"Remove the flow: {no_flows}",
    ]


def test_govcloud_malware_protection_without_flows_is_told_to_go(problems) -> None:  # noqa: F811
    """After the flows are removed, "or add a file flow" is impossible in GovCloud: only removal is offered."""
    silo = '    account_id: "555555555555"\n'
    text = GOV_STORAGE_ONLY.replace(silo, silo + "    malware_protection: true\n")
    [problem] = problems(text)
    assert problem.endswith(
        "malware_protection scans the files partners drop, but this silo has no sftp or upload flow; remove it: "
        "a silo in AWS GovCloud (US) holds no flows yet, so there are no files to scan"
    ), problem
    assert "add a file flow" not in problem
    commercial = mutate(
        "    email: aws-hr@acme.example\n", "    email: aws-hr@acme.example\n    malware_protection: true\n"
    )
    assert any(p.endswith("remove it or add a file flow") for p in problems(commercial))


def test_the_european_sovereign_cloud_is_recognized_and_refused(problems) -> None:  # noqa: F811
    """``eusc-de-east-1`` is the ``aws-eusc`` partition (botocore's partitions.json): refused with
    the reason, located at the region, not "not an AWS region code" from the schema."""
    from silolake.aws.arns import dns_suffix, partition_of

    assert partition_of("eusc-de-east-1") == "aws-eusc" and dns_suffix("aws-eusc") == "amazonaws.eu"
    text = mutate("allowed_regions: [eu-west-1, eu-central-1]", "allowed_regions: [eu-west-1, eusc-de-east-1]")
    assert problems(text) == [
        f"{S}:6:32: organization.allowed_regions[1]: region 'eusc-de-east-1' is in the aws-eusc partition, which "
        f"silolake refuses: {REFUSED['aws-eusc']}. Use regions of the commercial 'aws' or the 'aws-us-gov' partition"
    ]


def test_a_commercial_region_in_a_govcloud_organization_is_refused(problems) -> None:  # noqa: F811
    text = mutate(
        "allowed_regions: [us-gov-west-1, us-gov-east-1]",
        "allowed_regions: [us-gov-west-1, eu-west-1]",
        "    region: us-gov-east-1\n",
        "    region: eu-west-1\n",
        text=GOV_STORAGE_ONLY,
    )
    assert problems(text) == [
        f"{S}:6:36: organization.allowed_regions[1]: region 'eu-west-1' is in the aws partition but the home "
        "region 'us-gov-west-1' is in aws-us-gov: an AWS organization holds accounts of one partition only, "
        "so every allowed region must be in aws-us-gov"
    ]


def test_iso_regions_are_refused(problems) -> None:  # noqa: F811
    text = mutate("allowed_regions: [eu-west-1, eu-central-1]", "allowed_regions: [eu-west-1, us-isob-east-1]")
    assert problems(text) == [
        f"{S}:6:32: organization.allowed_regions[1]: region 'us-isob-east-1' is in the aws-iso-b partition, which "
        "silolake refuses: the ISO partitions are air-gapped, with their own endpoints and service set silolake "
        "does not know. Use regions of the commercial 'aws' or the 'aws-us-gov' partition"
    ]


def test_a_govcloud_master_pipeline_takes_no_connection_source(problems) -> None:  # noqa: F811
    text = GOV_STORAGE_ONLY.replace(
        "datalake_account:",
        "delivery:\n  pipeline:\n    source:\n      connection: {provider: GitHub, repository: a/b, branch: main}\n"
        "datalake_account:",
    )
    [problem] = problems(text)
    assert problem.startswith(f"{S}:13:7: delivery.pipeline.source.connection: a connection source is refused")
    assert GOVCLOUD_REFUSED["connection_source"] in problem
    # The s3 source as the schema describes it: a zip of the repository, bucket and key given.
    assert "a zip of the repository in a versioned bucket of the datalake account (give its bucket and key)" in problem
    assert "bundles published" not in problem


def test_a_govcloud_deploy_role_name_is_bounded_by_the_scp_budget(problems) -> None:  # noqa: F811
    ok = GOV_STORAGE_ONLY.replace(
        "  state_bucket_prefix:", "  deploy_role_name: " + "r" * 54 + "\n  state_bucket_prefix:"
    )
    assert problems(ok) == []
    [problem] = problems(ok.replace("r" * 54, "r" * 55))
    assert problem == (
        f"{S}:7:21: organization.deploy_role_name: deploy role name of 55 characters: in AWS GovCloud (US) at "
        "most 54, or the delivery chain's SCP, which names it 12 times in ARNs 7 characters longer than "
        "commercial ones, exceeds AWS's 5,120 characters"
    )


def test_govcloud_accounts_are_not_created_by_silolake(problems) -> None:  # noqa: F811
    text = GOV_STORAGE_ONLY.replace('    account_id: "555555555555"\n', "    email: aws-hr@acme.example\n")
    assert problems(text) == [
        f"{S}:22:5: silos[1].email: silolake cannot create accounts in AWS GovCloud (US): "
        f"{GOVCLOUD_REFUSED['account_creation']}"
    ]
