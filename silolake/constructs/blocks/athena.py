"""Athena workgroup with the configuration every silolake workgroup enforces."""

from __future__ import annotations

from ...engine.cdk import Construct, TerraformResource, aws

#: Per-query scan limit (100 GiB): a runaway query fails instead of billing.
BYTES_SCANNED_CUTOFF = 100 * 1024**3
#: Athena SQL engine; pinned so an engine upgrade is a reviewed change, not a console default.
ENGINE_VERSION = "Athena engine version 3"


def enforced_workgroup(
    scope: Construct,
    id: str,
    *,
    name: str,
    description: str,
    output_location: str,
    account_id: str,
    key_arn: str,
) -> TerraformResource:
    """An enabled workgroup whose settings clients cannot override.

    ``output_location``: ``s3://bucket/prefix/`` for query results, encrypted with SSE-KMS
    under ``key_arn`` and written only to a bucket owned by ``account_id``; queries stop at
    :data:`BYTES_SCANNED_CUTOFF` bytes. ``prevent_destroy``: deleting a workgroup deletes its
    saved queries and query history. (Athena User Guide, "Workgroup settings override
    client-side settings" and "Encrypting Athena query results".)
    """
    wg = aws.athena_workgroup
    return wg.AthenaWorkgroup(
        scope,
        id,
        name=name,
        description=description,
        state="ENABLED",
        force_destroy=False,
        lifecycle={"prevent_destroy": True},
        configuration=wg.AthenaWorkgroupConfiguration(
            enforce_workgroup_configuration=True,
            publish_cloudwatch_metrics_enabled=True,
            bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
            engine_version=wg.AthenaWorkgroupConfigurationEngineVersion(selected_engine_version=ENGINE_VERSION),
            result_configuration=wg.AthenaWorkgroupConfigurationResultConfiguration(
                output_location=output_location,
                expected_bucket_owner=account_id,
                encryption_configuration=wg.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                    encryption_option="SSE_KMS", kms_key_arn=key_arn
                ),
            ),
        ),
    )
