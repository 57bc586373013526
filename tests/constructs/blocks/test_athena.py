"""``enforced_workgroup``: clients cannot override the workgroup's settings; results are
SSE-KMS encrypted into a bucket of the owning account; a query stops at the scan cutoff
(Athena User Guide, "Workgroup settings override client-side settings")."""

from __future__ import annotations

from tests.constructs.blocks.conftest import ACCOUNT, only

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"


def test_the_workgroup_enforces_encrypted_owned_results_and_the_scan_cutoff(block_stack) -> None:
    from silolake.constructs.blocks import enforced_workgroup
    from silolake.constructs.blocks.athena import BYTES_SCANNED_CUTOFF

    enforced_workgroup(
        block_stack.scope,
        "wg",
        name="silolake-sales",
        description="sales queries",
        output_location="s3://results/sales/",
        account_id=ACCOUNT,
        key_arn=KEY,
    )
    wg = only(block_stack.synth(), "aws_athena_workgroup")
    assert wg["name"] == "silolake-sales" and wg["state"] == "ENABLED"
    assert wg["force_destroy"] is False and wg["lifecycle"]["prevent_destroy"] is True
    config = wg["configuration"]
    assert config["enforce_workgroup_configuration"] is True
    assert config["bytes_scanned_cutoff_per_query"] == BYTES_SCANNED_CUTOFF
    assert BYTES_SCANNED_CUTOFF >= 10 * 1024 * 1024  # Athena's minimum cutoff is 10 MB
    results = config["result_configuration"]
    assert results["output_location"] == "s3://results/sales/"
    assert results["expected_bucket_owner"] == ACCOUNT
    assert results["encryption_configuration"] == {"encryption_option": "SSE_KMS", "kms_key_arn": KEY}
