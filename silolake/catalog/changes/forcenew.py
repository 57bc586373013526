"""ForceNew attributes of the data-, identity- and address-holding resources silolake emits.

Changing one of these attributes makes Terraform *replace* the resource (destroy, then
create): for a bucket, a namespace, a Transfer server or a user that is the same loss as
removing it. :func:`replacements` compares two syntheses of a stack address by address and
reports those replaced; the day-2 edit tests and the generated invariant test count them
as lost (docs/day-2.md), exactly like an address that disappears without a ``removed`` or
``moved`` block.

Every row of :data:`FORCE_NEW` was read from the provider source
(``hashicorp/terraform-provider-aws``, path under ``internal/service/`` at the commit read;
``ForceNew: true`` in the SDK schema or ``RequiresReplace()`` in the framework schema) and
lists every ForceNew *argument* silolake sets or could set on that type; a dotted name is
an attribute of a nested block (``endpoint_details.vpc_id``).

- ``aws_s3_bucket``: bucket, bucket_prefix (``s3/bucket.go`` @0070bcd1)
- ``aws_kms_key``: customer_master_key_spec, key_usage, multi_region, custom_key_store_id,
  xks_key_id (``kms/key.go`` @00a35305)
- ``aws_kms_alias``: name, name_prefix; target_key_id updates in place (``kms/alias.go`` @01c08000)
- ``aws_cloudwatch_log_group``: name, name_prefix, log_group_class; kms_key_id and
  retention_in_days update in place (``logs/group.go`` @0073593e)
- ``aws_cloudwatch_log_stream``: name, log_group_name (``logs/stream.go`` @1468653a)
- ``aws_glue_catalog_database``: name, catalog_id, target_database (``glue/catalog_database.go`` @0075c786)
- ``aws_glue_catalog_table``: name, database_name, catalog_id, partition_index
  (``glue/catalog_table.go`` @004debd4)
- ``aws_sns_topic_subscription``: endpoint, protocol, topic_arn (``sns/topic_subscription.go`` @04a2e6e5)
- ``aws_dynamodb_table``: name, hash_key, range_key, local_secondary_index, restore_source_name,
  restore_to_latest_time, restore_date_time (``dynamodb/table.go`` @01335dd3)
- ``aws_secretsmanager_secret``: name, name_prefix; kms_key_id updates in place
  (``secretsmanager/secret.go`` @00c21ced)
- ``aws_cognito_user_pool``: name, alias_attributes, username_attributes, username_configuration
  (``cognitoidp/user_pool.go`` @015edb13)
- ``aws_cognito_user``: user_pool_id, username (``cognitoidp/user.go`` @01739318)
- ``aws_cognito_user_pool_domain``: domain, certificate_arn, user_pool_id
  (``cognitoidp/user_pool_domain.go`` @01c08000)
- ``aws_redshiftserverless_namespace``: namespace_name, db_name (``redshiftserverless/namespace.go`` @209cc4dc)
- ``aws_redshiftserverless_workgroup``: workgroup_name, namespace_name
  (``redshiftserverless/workgroup.go`` @01c08000)
- ``aws_kinesis_firehose_delivery_stream``: name, destination, kinesis_source_configuration,
  msk_source_configuration (``firehose/delivery_stream.go`` @86475b48)
- ``aws_transfer_server``: domain, identity_provider_type, endpoint_details.vpc_id once set
  (``transfer/server.go`` @02209241)
- ``aws_cloudfront_distribution``: staging; every other argument updates in place, the id and
  domain are AWS's (``cloudfront/distribution.go`` @023c8e5c)
- ``aws_quicksight_data_source``: data_source_id, type (``quicksight/data_source.go`` @00b76441)
- ``aws_athena_workgroup``: name (``athena/workgroup.go`` @0148137d)
- ``aws_organizations_account``: name, email, iam_user_access_to_billing, role_name
  (``organizations/account.go`` @01f43111)
- ``aws_apigatewayv2_api``: protocol_type, credentials_arn, route_key, target; name and
  body update in place (``apigatewayv2/api.go`` @30b8cc6d)
- ``aws_apigatewayv2_stage``: api_id, name (``apigatewayv2/stage.go`` @10afe5ab)
- ``aws_api_gateway_stage``: rest_api_id, stage_name; deployment_id updates in place
  (``apigateway/stage.go`` @30b8cc6d)
- ``aws_api_gateway_rest_api``: no ForceNew argument silolake sets (name, body, policy and
  endpoint configuration update in place); it is watched for leaving the configuration
  (``apigateway/rest_api.go``, not pinned)
- ``aws_codeconnections_connection``: name, provider_type, host_arn (``RequiresReplace``;
  ``codeconnections/connection.go``, not pinned)

:data:`ALSO_WATCHED` completes the data types of :mod:`silolake.stacks.continuity`
(``DATA_TYPES``) to every type whose replacement loses data, an identity or an address: a
key's alias (what applications name the key by) and the owners' alert subscriptions (a
replaced e-mail subscription waits for a new confirmation, so alerts stop).
``tests/day2/test_forcenew.py`` fails when the synthesized example emits one of these types
that this table lacks. ``aws_sqs_queue`` (the freshness checks' dead-letter queue,
``silolake-<silo>-health-dlq``) is not watched: it holds EventBridge Scheduler's dead-letter
events about checks its alarm already reported, never data, an identity or an address.
"""

from __future__ import annotations

from typing import Any

#: resource type -> arguments whose change replaces the resource (table above).
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket": ("bucket", "bucket_prefix"),
    "aws_kms_key": ("customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"),
    "aws_kms_alias": ("name", "name_prefix"),
    "aws_cloudwatch_log_group": ("name", "name_prefix", "log_group_class"),
    "aws_cloudwatch_log_stream": ("name", "log_group_name"),
    "aws_glue_catalog_database": ("name", "catalog_id", "target_database"),
    "aws_glue_catalog_table": ("name", "database_name", "catalog_id", "partition_index"),
    "aws_sns_topic_subscription": ("endpoint", "protocol", "topic_arn"),
    "aws_dynamodb_table": (
        "name",
        "hash_key",
        "range_key",
        "local_secondary_index",
        "restore_source_name",
        "restore_to_latest_time",
        "restore_date_time",
    ),
    "aws_secretsmanager_secret": ("name", "name_prefix"),
    "aws_cognito_user_pool": ("name", "alias_attributes", "username_attributes", "username_configuration"),
    "aws_cognito_user": ("user_pool_id", "username"),
    "aws_cognito_user_pool_domain": ("domain", "certificate_arn", "user_pool_id"),
    "aws_redshiftserverless_namespace": ("namespace_name", "db_name"),
    "aws_redshiftserverless_workgroup": ("workgroup_name", "namespace_name"),
    "aws_kinesis_firehose_delivery_stream": (
        "name",
        "destination",
        "kinesis_source_configuration",
        "msk_source_configuration",
    ),
    "aws_transfer_server": ("domain", "identity_provider_type", "endpoint_details.vpc_id"),
    "aws_cloudfront_distribution": ("staging",),
    "aws_quicksight_data_source": ("data_source_id", "type"),
    "aws_athena_workgroup": ("name",),
    "aws_organizations_account": ("name", "email", "iam_user_access_to_billing", "role_name"),
    "aws_apigatewayv2_api": ("protocol_type", "credentials_arn", "route_key", "target"),
    "aws_apigatewayv2_stage": ("api_id", "name"),
    "aws_api_gateway_stage": ("rest_api_id", "stage_name"),
    "aws_api_gateway_rest_api": (),
    "aws_codeconnections_connection": ("name", "provider_type", "host_arn"),
}

#: Types whose replacement is a loss besides ``DATA_TYPES``: a key's alias, an alert subscription.
ALSO_WATCHED = frozenset({"aws_kms_alias", "aws_sns_topic_subscription"})


def _value(resource: dict[str, Any], path: str) -> Any:
    """The argument at ``path`` (dotted for nested blocks, which synthesized JSON writes as
    an object or a one-item list); ``None`` when absent."""
    value: Any = resource
    for part in path.split("."):
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        value = value.get(part) if isinstance(value, dict) else None
    return value


def replacements(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """``{address: [changed ForceNew arguments]}`` of the resources present at the same
    address in both synthesized stacks (``cdk.tf.json`` documents) that Terraform would
    replace. Values are compared as written (references included): a reference to a kept
    address is the same value, one to another address is a change."""
    out: dict[str, list[str]] = {}
    for rtype, attributes in FORCE_NEW.items():
        old, new = before.get("resource", {}).get(rtype, {}), after.get("resource", {}).get(rtype, {})
        for name in sorted(old.keys() & new.keys()):
            changed = [a for a in attributes if _value(old[name], a) != _value(new[name], a)]
            if changed:
                out[f"{rtype}.{name}"] = changed
    return out
