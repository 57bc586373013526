"""The ForceNew table: a changed ForceNew argument at a kept address is a replacement, and
every data-, identity- or address-holding type the example synthesizes has a row."""

from __future__ import annotations

import copy

from silolake.catalog.changes.forcenew import ALSO_WATCHED, FORCE_NEW, replacements
from silolake.stacks.continuity import DATA_TYPES

from .edits import lost

WATCHED = DATA_TYPES | ALSO_WATCHED


def test_every_tabled_type_is_watched():
    assert set(FORCE_NEW) <= WATCHED


def test_every_watched_type_the_example_emits_has_a_force_new_row(example_synth):
    emitted = {t for name in example_synth.stack_names for t in example_synth.stack(name).get("resource", {})}
    watched = emitted & WATCHED
    # The example uses every capability that holds data: the check is not vacuous.
    assert {"aws_s3_bucket", "aws_redshiftserverless_namespace", "aws_transfer_server", "aws_cognito_user"} <= watched
    assert sorted(watched - set(FORCE_NEW)) == []


def test_addresses_partners_use_are_watched():
    """The user pool's sign-in domain, both APIs and their stages, and the release
    connection (authorized by hand) count as lost when they leave the configuration."""
    assert {
        "aws_cognito_user_pool_domain",
        "aws_api_gateway_rest_api",
        "aws_api_gateway_stage",
        "aws_apigatewayv2_api",
        "aws_apigatewayv2_stage",
        "aws_cloudfront_distribution",
        "aws_transfer_server",
        "aws_kinesis_firehose_delivery_stream",
        "aws_codeconnections_connection",
    } <= DATA_TYPES


def test_a_changed_force_new_attribute_is_a_replacement_and_others_are_not():
    before = {
        "resource": {
            "aws_cognito_user": {"u": {"username": "ann@x.example", "user_pool_id": "p", "attributes": {"a": "1"}}},
            "aws_athena_workgroup": {"w": {"name": "wg", "description": "d"}},
        }
    }
    after = copy.deepcopy(before)
    after["resource"]["aws_cognito_user"]["u"]["username"] = "ben@x.example"  # positional owners, reordered
    after["resource"]["aws_athena_workgroup"]["w"]["description"] = "other"  # updated in place
    assert replacements(before, after) == {"aws_cognito_user.u": ["username"]}
    assert replacements(before, before) == {}


def _with(rtype: str, body: dict) -> dict:
    return {"resource": {rtype: {"r": body}}}


def test_renaming_a_bucket_log_group_or_table_in_place_is_counted_as_lost():
    cases = [
        ("aws_s3_bucket", {"bucket": "acme-sales-raw"}, {"bucket": "acme-sales-raw2"}),
        ("aws_cloudwatch_log_group", {"name": "/x/a", "kms_key_id": "k"}, {"name": "/x/b", "kms_key_id": "k"}),
        ("aws_glue_catalog_table", {"name": "t", "database_name": "d"}, {"name": "t", "database_name": "e"}),
        ("aws_dynamodb_table", {"name": "l", "hash_key": "pk"}, {"name": "l", "hash_key": "id"}),
        ("aws_kinesis_firehose_delivery_stream", {"name": "s"}, {"name": "s2"}),
    ]
    for rtype, old, new in cases:
        assert lost(_with(rtype, old), _with(rtype, new)) == {f"{rtype}.r"}, rtype
        assert lost(_with(rtype, old), _with(rtype, old)) == set(), rtype


def test_updates_in_place_are_not_replacements():
    # A log group's key and retention, a subscription's filter policy: updated in place.
    assert not replacements(
        _with("aws_cloudwatch_log_group", {"name": "/x", "kms_key_id": "a", "retention_in_days": 30}),
        _with("aws_cloudwatch_log_group", {"name": "/x", "kms_key_id": "b", "retention_in_days": 90}),
    )
    assert not replacements(
        _with("aws_sns_topic_subscription", {"endpoint": "a@x", "protocol": "email", "filter_policy": "{}"}),
        _with("aws_sns_topic_subscription", {"endpoint": "a@x", "protocol": "email", "filter_policy": '{"a":1}'}),
    )


def test_nested_force_new_arguments_are_read_from_objects_and_one_item_lists():
    old = _with("aws_transfer_server", {"domain": "S3", "endpoint_details": [{"vpc_id": "vpc-1"}]})
    new = _with("aws_transfer_server", {"domain": "S3", "endpoint_details": {"vpc_id": "vpc-2"}})
    assert replacements(old, new) == {"aws_transfer_server.r": ["endpoint_details.vpc_id"]}
