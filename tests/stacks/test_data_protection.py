"""``prevent_destroy`` on every data-holding resource, decided once per resource *type*.

Every resource type the example synthesizes (the fixture catalog exercises every feature
built so far: api flows, analytics consumers, Object Lock, per-flow throttles, a pending
silo) must be listed below, either as data-holding (then every instance carries
``prevent_destroy``) or as holding no data, with the reason. A type that appears in a
later synth without a decision fails the test: whoever adds it must choose.
"""

from __future__ import annotations

import pytest

#: Types that hold data (or the only key to it); every instance must be protected.
DATA_HOLDING = {
    "aws_s3_bucket": "objects",
    "aws_kms_key": "the only key to every object and catalog entry encrypted with it",
    "aws_glue_catalog_database": "the silo's tables",
    "aws_glue_catalog_table": "schema and partition index the data is queried through",
    "aws_kinesis_firehose_delivery_stream": "records buffered before delivery",
    "aws_cloudwatch_log_group": "log events within the retention period",
    "aws_cloudwatch_log_stream": "log events (deleting the stream deletes them)",
    "aws_athena_workgroup": "saved queries and query history",
    "aws_redshiftserverless_namespace": "the warehouse's tables and its admin secret",
    "aws_organizations_account": "an AWS account and everything in it",
    "aws_organizations_organizational_unit": "the OU paths every sharing policy is keyed by",
    "aws_dynamodb_table": "partner lockout counters (operational, but a table is data)",
    "aws_cognito_user_pool": "the silo staff's identities and their MFA enrolment",
    "aws_cognito_user": "a staff identity (recreating it loses its MFA device and password)",
    "aws_transfer_server": "the SFTP host key and endpoint partners have pinned",
}

#: Types that hold no data: configuration Terraform recreates identically, with why.
NO_DATA = {
    "aws_api_gateway_account": "account-level logging setting",
    "aws_api_gateway_deployment": "snapshot of the API configuration, rebuilt from it",
    "aws_api_gateway_gateway_response": "API configuration",
    "aws_api_gateway_integration": "API configuration",
    "aws_api_gateway_integration_response": "API configuration",
    "aws_api_gateway_method": "API configuration",
    "aws_api_gateway_method_response": "API configuration",
    "aws_api_gateway_method_settings": "stage settings (throttles, logging level)",
    "aws_api_gateway_model": "API configuration",
    "aws_api_gateway_request_validator": "API configuration",
    "aws_api_gateway_resource": "API configuration",
    "aws_api_gateway_rest_api": "API configuration; records pass through to Firehose, none stay",
    "aws_api_gateway_stage": "stage configuration; access logs live in the (protected) log group",
    "aws_athena_data_catalog": "a pointer to a silo's Glue catalog",
    "aws_cloudwatch_event_rule": "routing rule (landing trigger)",
    "aws_cloudwatch_event_target": "routing target",
    "aws_codebuild_project": "build configuration; build logs live in the (protected) log group",
    "aws_codeconnections_connection": "an authorization handle to the repository; the code stays there",
    "aws_codepipeline": "pipeline configuration; its artifacts live in the (protected) store bucket",
    "aws_default_security_group": "network setting",
    "aws_flow_log": "setting; flow log events live in the (protected) log group",
    "aws_glue_job": "job definition; its code is in the artifacts prefix, rebuilt from the repository",
    "aws_glue_security_configuration": "encryption setting",
    "aws_guardduty_malware_protection_plan": "scan setting; scanned objects stay in the (protected) dropzone",
    "aws_lambda_function": "code packaged from the repository",
    "aws_lambda_permission": "policy",
    "aws_quicksight_data_source": "a pointer to the silo's Athena workgroup",
    "aws_redshiftserverless_workgroup": "compute and endpoint; the data lives in the (protected) namespace",
    "aws_route_table": "network setting",
    "aws_route_table_association": "network setting",
    "aws_s3_object": "job code and partner pages, rebuilt from the repository; config.json written by Terraform",
    "aws_scheduler_schedule": "schedule, recreated from the catalog",
    "aws_scheduler_schedule_group": "a container of (freshness check) schedules, recreated from the catalog",
    "aws_cloudwatch_metric_alarm": "alarm definition, recreated from the catalog; metric data stays in CloudWatch",
    "aws_cloudwatch_dashboard": "dashboard layout, regenerated from the catalog; metrics stay in CloudWatch",
    "aws_cloudwatch_log_metric_filter": "a filter; the log events stay in the (protected) log group",
    "aws_iam_service_linked_role": "identity of an AWS service (CloudWatch's cross-account console), recreated by AWS",
    "aws_security_group": "network setting",
    "aws_sfn_state_machine": "pipeline definition; execution history is in the (protected) log group",
    "aws_sns_topic": "alert topic; messages are delivered, none stay",
    "aws_sns_topic_subscription": "subscription (the owner confirms it again)",
    "aws_sqs_queue": "the freshness checks' dead-letter queue: Scheduler's events about checks it could not run "
    "(no data; its alarm already reported them)",
    "aws_sqs_queue_policy": "policy",
    "aws_subnet": "network setting",
    "aws_vpc": "network; holds no data",
    "aws_vpc_endpoint": "network setting",
    "aws_glue_data_catalog_encryption_settings": "catalog setting",
    "aws_glue_resource_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_iam_role": "identity, recreated with the same name and trust",
    "aws_iam_role_policy": "policy",
    "aws_iam_role_policy_attachment": "attachment",
    "aws_kms_alias": "name of a (protected) key",
    "aws_organizations_policy": "guardrail policy, recreated from the catalog",
    "aws_organizations_policy_attachment": "attachment",
    "aws_s3_account_public_access_block": "account-level setting (account baseline)",
    "aws_s3_bucket_lifecycle_configuration": "bucket setting",
    "aws_s3_bucket_logging": "bucket setting",
    "aws_s3_bucket_notification": "bucket setting",
    "aws_s3_bucket_object_lock_configuration": "bucket setting; Object Lock itself stays enabled on the bucket",
    "aws_s3_bucket_ownership_controls": "bucket setting",
    "aws_s3_bucket_policy": "policy",
    "aws_s3_bucket_public_access_block": "bucket setting",
    "aws_s3_bucket_server_side_encryption_configuration": "bucket setting",
    "aws_s3_bucket_versioning": "bucket setting",
    "aws_apigatewayv2_api": "partner API configuration; requests pass through to Lambda",
    "aws_apigatewayv2_authorizer": "API configuration",
    "aws_apigatewayv2_integration": "API configuration",
    "aws_apigatewayv2_route": "API configuration",
    "aws_apigatewayv2_stage": "stage configuration; access logs live in the (protected) log group",
    "aws_cloudfront_distribution": "CDN configuration in front of the (protected) pages bucket",
    "aws_cloudfront_origin_access_control": "signing setting",
    "aws_cloudfront_response_headers_policy": "header configuration",
    "aws_cognito_user_pool_client": "app client configuration (no secret)",
    "aws_cognito_user_pool_domain": "hosted UI domain of the (protected) pool",
    "aws_s3_bucket_cors_configuration": "bucket setting",
    "aws_cloudwatch_event_bus_policy": "policy (the datalake account forwards bundle events)",
    "aws_iam_openid_connect_provider": "identity provider setting (GitHub's issuer and audience)",
}


def synthesized(synth) -> dict[str, list[tuple[str, dict]]]:
    by_type: dict[str, list[tuple[str, dict]]] = {}
    for stack in synth.stack_names:
        for rtype, items in synth.stack(stack).get("resource", {}).items():
            by_type.setdefault(rtype, []).extend((f"{stack}:{logical}", r) for logical, r in items.items())
    return by_type


def test_every_resource_type_has_a_decision(example_synth):
    undecided = set(synthesized(example_synth)) - set(DATA_HOLDING) - set(NO_DATA)
    assert not undecided, f"decide whether these hold data (DATA_HOLDING or NO_DATA): {sorted(undecided)}"
    assert not set(DATA_HOLDING) & set(NO_DATA)


@pytest.mark.parametrize("rtype", sorted(DATA_HOLDING))
def test_every_data_holding_resource_is_protected(example_synth, rtype):
    found = synthesized(example_synth).get(rtype, [])
    unprotected = [name for name, r in found if r.get("lifecycle", {}).get("prevent_destroy") is not True]
    assert not unprotected, unprotected


def test_the_fixture_exercises_the_protected_types(example_synth):
    """The decision table is only as good as the synth it was checked against."""
    missing = set(DATA_HOLDING) - set(synthesized(example_synth))
    assert not missing, missing
