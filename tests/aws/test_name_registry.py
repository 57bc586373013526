"""Every name silolake gives AWS is in the validation registry, with the rule it is checked by.

Walks every resource of the synthesized stacks (the example catalog's golden stacks as
Terraform delivers them, and a catalog using every capability), takes each resource type's
name attribute(s) and asserts that each literal name (a) is among the names
:func:`silolake.catalog.limits.registry` derives from the same catalog - the tables
validation checks - with the same rule, and (b) meets that rule. So a name the constructs
format themselves, or a builder missing from the registry, fails here: "what validates,
applies" (issue 23). Account ids are normalised: validation derives names with a placeholder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from silolake.aws import access_name_rules as A
from silolake.aws import name_registry
from silolake.aws import name_rules as R
from silolake.aws.name_rule import NameRule
from silolake.catalog import limits, load_catalog, validate_file
from silolake.catalog.schema import load_schema
from tests.conftest import EXAMPLE, REPO, synthesize_catalog, synthesize_catalog_stacks

GOLDEN = REPO / "tests" / "golden" / "stacks"
EVERY_CAPABILITY = REPO / "tests" / "day2" / "catalogs" / "full.yaml"

#: Resource type -> {attribute holding a name AWS keeps: its rule}.
NAME_ATTRS: dict[str, dict[str, NameRule]] = {
    "aws_s3_bucket": {"bucket": R.S3_BUCKET},
    "aws_iam_role": {"name": A.IAM_ROLE},
    "aws_iam_policy": {"name": A.IAM_POLICY},
    "aws_glue_catalog_database": {"name": R.GLUE_DATABASE},
    "aws_glue_catalog_table": {"name": R.GLUE_TABLE},
    "aws_glue_job": {"name": R.GLUE_JOB},
    "aws_glue_security_configuration": {"name": R.GLUE_SECURITY_CONFIGURATION},
    "aws_kinesis_firehose_delivery_stream": {"name": R.FIREHOSE_STREAM},
    "aws_kms_alias": {"name": R.KMS_ALIAS},
    "aws_cloudwatch_log_group": {"name": R.LOG_GROUP},
    "aws_api_gateway_rest_api": {"name": R.API_GATEWAY_REST_API},
    "aws_apigatewayv2_api": {"name": R.API_GATEWAY_HTTP_API},
    "aws_athena_workgroup": {"name": R.ATHENA_WORKGROUP},
    "aws_athena_data_catalog": {"name": R.ATHENA_DATA_CATALOG},
    "aws_sfn_state_machine": {"name": R.STEP_FUNCTIONS},
    "aws_lambda_function": {"function_name": R.LAMBDA_FUNCTION},
    "aws_cloudwatch_metric_alarm": {"alarm_name": R.CLOUDWATCH_ALARM},
    "aws_cloudwatch_dashboard": {"dashboard_name": R.CLOUDWATCH_DASHBOARD},
    "aws_cloudwatch_event_rule": {"name": R.EVENTBRIDGE_RULE},
    "aws_scheduler_schedule_group": {"name": R.SCHEDULER_GROUP},
    "aws_scheduler_schedule": {"name": R.SCHEDULER_GROUP},
    "aws_organizations_account": {"name": A.ORG_ACCOUNT_NAME, "role_name": A.IAM_ROLE},
    "aws_organizations_organizational_unit": {"name": A.ORG_UNIT_NAME},
    "aws_organizations_policy": {"name": A.SCP_NAME},
    "aws_codebuild_project": {"name": A.CODEBUILD_PROJECT},
    "aws_codepipeline": {"name": A.CODEPIPELINE},
    "aws_codeconnections_connection": {"name": A.CODECONNECTIONS_CONNECTION},
    "aws_cognito_user_pool": {"name": A.COGNITO_USER_POOL},
    "aws_cognito_user_pool_domain": {"domain": A.COGNITO_DOMAIN},
    "aws_dynamodb_table": {"name": A.DYNAMODB_TABLE},
    "aws_sns_topic": {"name": R.SNS_TOPIC},
    "aws_sqs_queue": {"name": R.SQS_QUEUE},
    "aws_redshiftserverless_namespace": {"namespace_name": R.REDSHIFT_SERVERLESS},
    "aws_redshiftserverless_workgroup": {"workgroup_name": R.REDSHIFT_SERVERLESS},
    "aws_security_group": {"name": R.EC2_SECURITY_GROUP},
    "aws_cloudfront_origin_access_control": {"name": A.CLOUDFRONT_OAC},
    "aws_cloudfront_response_headers_policy": {"name": A.CLOUDFRONT_RESPONSE_HEADERS_POLICY},
    "aws_quicksight_data_source": {"data_source_id": R.QUICKSIGHT_DATA_SOURCE, "name": R.QUICKSIGHT_DATA_SOURCE},
}

#: Resource types whose names need no registry row, and why.
NO_REGISTRY_NAME: dict[str, str] = {
    # No name of their own: AWS assigns an id, or they configure / attach another resource
    # whose name (if any) is checked on that resource.
    **dict.fromkeys(
        [
            "aws_api_gateway_account",
            "aws_api_gateway_deployment",
            "aws_api_gateway_gateway_response",
            "aws_api_gateway_integration",
            "aws_api_gateway_integration_response",
            "aws_api_gateway_method",
            "aws_api_gateway_method_response",
            "aws_api_gateway_method_settings",
            "aws_api_gateway_resource",
            "aws_apigatewayv2_integration",
            "aws_apigatewayv2_route",
            "aws_cloudfront_distribution",
            "aws_cloudwatch_event_bus_policy",
            "aws_cloudwatch_event_target",
            "aws_cognito_user",
            "aws_default_security_group",
            "aws_flow_log",
            "aws_glue_data_catalog_encryption_settings",
            "aws_glue_resource_policy",
            "aws_guardduty_malware_protection_plan",
            "aws_iam_openid_connect_provider",
            "aws_iam_role_policy_attachment",
            "aws_iam_service_linked_role",
            "aws_kms_key",
            "aws_lambda_permission",
            "aws_organizations_policy_attachment",
            "aws_route_table",
            "aws_route_table_association",
            "aws_s3_account_public_access_block",
            "aws_s3_bucket_cors_configuration",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_logging",
            "aws_s3_bucket_notification",
            "aws_s3_bucket_object_lock_configuration",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_replication_configuration",
            "aws_s3_object",
            "aws_sns_topic_subscription",
            "aws_sns_topic_policy",
            "aws_sqs_queue_policy",
            "aws_subnet",
            "aws_transfer_server",
            "aws_vpc",
            "aws_vpc_endpoint",
        ],
        "no name of its own (an AWS-assigned id, or a setting of a resource checked by name)",
    ),
    # A fixed literal scoped inside one parent resource (two silos never collide, no catalog
    # value reaches it, and its length is constant): the rule cannot be broken by a catalog.
    **dict.fromkeys(
        [
            "aws_api_gateway_model",
            "aws_api_gateway_request_validator",
            "aws_api_gateway_stage",
            "aws_apigatewayv2_authorizer",
            "aws_apigatewayv2_stage",
            "aws_cognito_user_pool_client",
            "aws_iam_role_policy",
            "aws_cloudwatch_log_metric_filter",
            "aws_cloudwatch_log_stream",
        ],
        "a fixed name scoped to its parent resource; no catalog value reaches it",
    ),
}

#: Names AWS composes from a Terraform reference (the API Gateway execution log group is
#: ``API-Gateway-Execution-Logs_<rest api id>/<stage>``: AWS fixes that name, ids are 10 characters).
TOKEN = re.compile(r"\$\{|tfref:")
ACCOUNT = re.compile(r"\d{12}")


def literal_names(doc: dict) -> Iterator[tuple[str, str, NameRule, str]]:
    """(resource type, attribute, rule, name) of every literal name in a stack document;
    fails on a resource type that has neither a row in :data:`NAME_ATTRS` nor a reason."""
    for rtype, resources in doc.get("resource", {}).items():
        assert rtype in NAME_ATTRS or rtype in NO_REGISTRY_NAME, f"{rtype}: add its name attribute(s) or a reason"
        for body in resources.values():
            for attr, rule in NAME_ATTRS.get(rtype, {}).items():
                value = body.get(attr)
                if isinstance(value, str) and not TOKEN.search(value):
                    yield rtype, attr, rule, value


def registry_of(data: dict) -> dict[str, set[NameRule]]:
    """{name (placeholder account): rules} of every table validation walks for ``data``."""
    out: dict[str, set[NameRule]] = {}
    for _, _, derived, _ in limits.registry(data):
        for name, rule in derived.values():
            out.setdefault(name, set()).add(rule)
    return out


def _unregistered(docs: dict[str, dict], data: dict) -> list[str]:
    registry = registry_of(data)
    faults = []
    for stack, doc in sorted(docs.items()):
        for rtype, attr, rule, name in literal_names(doc):
            key = ACCOUNT.sub(limits.PLACEHOLDER_ACCOUNT, name)
            if rule not in registry.get(key, set()):
                faults.append(f"{stack}: {rtype}.{attr} '{name}' is not in the registry as a {rule.kind}")
            if not rule.accepts(name):
                faults.append(f"{stack}: {rtype}.{attr} '{name}' breaks its rule: {rule.problems(name)}")
    return faults


def test_every_golden_name_is_validated_with_its_rule() -> None:
    docs = {path.stem: json.loads(path.read_text()) for path in GOLDEN.glob("*.json")}
    assert docs, GOLDEN
    data = yaml.safe_load(EXAMPLE.read_text())
    assert _unregistered(docs, data) == []
    # The walk is not vacuous: it met names of every kind the example has.
    kinds = {rule.kind for doc in docs.values() for *_, rule, _ in literal_names(doc)}
    assert {
        R.CLOUDWATCH_ALARM.kind,
        A.COGNITO_DOMAIN.kind,
        R.LAMBDA_FUNCTION.kind,
        A.SCP_NAME.kind,
    } <= kinds


@pytest.fixture(scope="module")
def every_capability(tmp_path_factory: pytest.TempPathFactory):
    return synthesize_catalog(load_catalog(EVERY_CAPABILITY), tmp_path_factory.mktemp("capability") / "cdktf.out")


def test_every_name_of_every_capability_is_validated_with_its_rule(every_capability) -> None:
    docs = {name: every_capability.stack(name) for name in every_capability.stack_names}
    data = yaml.safe_load(EVERY_CAPABILITY.read_text())
    assert _unregistered(docs, data) == []


def test_the_master_pipeline_with_an_s3_source_names_its_rule_from_the_registry(tmp_path: Path) -> None:
    """``delivery.pipeline.source.s3`` (no catalog above uses it): the EventBridge rule that
    starts the pipeline on a new source zip, and every other datalake name, is registered."""
    data = yaml.safe_load(EVERY_CAPABILITY.read_text())
    data["delivery"]["pipeline"]["source"] = {"s3": {"bucket": "beta-source", "key": "datalake/main.zip"}}
    path = tmp_path / "silos.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    synth = synthesize_catalog_stacks(load_catalog(path), tmp_path / "cdktf.out", ["datalake"])
    docs = {name: synth.stack(name) for name in synth.stack_names}
    rules = [n for doc in docs.values() for t, _, _, n in literal_names(doc) if t == "aws_cloudwatch_event_rule"]
    assert "beta-silolake-release-source" in rules
    assert _unregistered(docs, data) == []


def test_a_name_outside_the_registry_is_found() -> None:
    """The walk fails on a name no builder of the registry makes (a construct formatting its own)."""
    doc = {"resource": {"aws_iam_role": {"r": {"name": "silolake-sales-hand-made"}}}}
    data = yaml.safe_load(EXAMPLE.read_text())
    assert _unregistered({"silo-sales": doc}, data) == [
        "silo-sales: aws_iam_role.name 'silolake-sales-hand-made' is not in the registry as a IAM role name"
    ]
    with pytest.raises(AssertionError, match="aws_new_thing: add its name"):
        list(literal_names({"resource": {"aws_new_thing": {}}}))


def test_the_registry_tables_are_not_stale(tmp_path: Path) -> None:
    """Every rule a registry table uses is one of :data:`silolake.aws.name_registry.RULES`."""
    data = yaml.safe_load(EXAMPLE.read_text())
    used = {rule for rules in registry_of(data).values() for rule in rules}
    assert used <= set(name_registry.RULES.values())


# -- the longest names a catalog may hold ---------------------------------------------------------

_DEFS = load_schema()["$defs"]
ORG_MAX = _DEFS["organization"]["properties"]["name"]["maxLength"]
_PARTNER_PATTERN = _DEFS["flow"]["properties"]["expect"]["properties"]["partners"]["propertyNames"]["pattern"]
PARTNER_MAX = int(re.search(r"\{1,(\d+)\}", _PARTNER_PATTERN).group(1)) + 2  # first + middle + last


def _extreme(org: str, silo: str, flow: str, partner: str, consumer: str, *, created: bool = True) -> dict:
    """The every-capability catalog with its first silo renamed; its SFTP flow expects ``partner``.
    ``created``: the organization creates the silo's account (its display name counts too; such
    a silo has no stack until the account exists, so synth takes ``created=False``)."""
    data = yaml.safe_load(EVERY_CAPABILITY.read_text())
    data["organization"]["name"] = org
    hub = data["silos"][0]
    hub["name"] = silo
    if created:
        del hub["account_id"]
        hub["email"] = "aws-hub@gamma.example"
    drops = next(f for f in hub["flows"] if f["source"] == "sftp")
    drops["name"] = flow
    drops["expect"] = {"partners": {partner: {"every": "1d"}}}
    data["analytics"][0]["name"] = consumer
    data["analytics"][0]["silos"] = [silo, "yard"]
    return data


def _problems(tmp_path: Path, data: dict) -> list[str]:
    path = tmp_path / "silos.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return [str(p) for p in validate_file(path)[1]]


def _longest(tmp_path: Path, build, letter: str) -> int:
    """The longest run of ``letter`` that validates in ``build(name)`` (validation is monotonic in length)."""
    low, high = 1, 256
    while low < high:
        mid = (low + high + 1) // 2
        if _problems(tmp_path, build(letter * mid)):
            high = mid - 1
        else:
            low = mid
    return low


def test_the_longest_names_validate_then_synthesize_only_valid_names(tmp_path: Path) -> None:
    """Organization and partner names at their schema maximum; silo, flow and consumer names
    (no schema maximum) at the longest validation accepts. Either a name is refused at its key,
    located, or every name synthesized from it meets its AWS rule."""
    org, partner = "o" * ORG_MAX, "p" * PARTNER_MAX
    assert re.fullmatch(_PARTNER_PATTERN, partner) and not _problems(
        tmp_path, _extreme(org, "hub", "drops", partner, "bi")
    )
    silo_len = _longest(tmp_path, lambda s: _extreme(org, s, "drops", partner, "bi"), "s")
    silo = "s" * silo_len
    flow = "f" * _longest(tmp_path, lambda f: _extreme(org, silo, f, partner, "bi"), "f")
    consumer = "c" * _longest(tmp_path, lambda c: _extreme(org, silo, flow, partner, c), "c")
    # One more character is refused at the key that decides it, with the fix.
    [refused] = _problems(tmp_path, _extreme(org, silo + "s", "drops", partner, "bi"))
    assert "silos[0].name: name too long" in refused and "shorten the silo name by at least 1 character" in refused
    assert re.match(r".*silos\.yaml:\d+:\d+: ", refused)
    assert _problems(tmp_path, _extreme(org, silo, flow, partner, consumer)) == []
    data = _extreme(org, silo, flow, partner, consumer, created=False)
    assert _problems(tmp_path, data) == []
    path = tmp_path / "silos.yaml"
    synth = synthesize_catalog(load_catalog(path), tmp_path / "cdktf.out")
    docs = {name: synth.stack(name) for name in synth.stack_names}
    assert _unregistered(docs, data) == []
    alarms = [n for doc in docs.values() for t, _, _, n in literal_names(doc) if t == "aws_cloudwatch_metric_alarm"]
    assert any(n.endswith(f"-late-{partner}") for n in alarms)


def test_a_refused_derived_name_is_a_located_cli_error(tmp_path: Path) -> None:
    """``silolake validate`` on the example with an organization name Cognito refuses in every
    silo's staff sign-in domain: exit 2, one located message at ``organization.name`` (said once,
    not again at each silo), no traceback."""
    from click.testing import CliRunner

    from silolake.cli import main
    from tests.conftest import copy_example

    path = copy_example(tmp_path)
    text = path.read_text()
    assert text.count("\n  name: acme\n") == 1
    path.write_text(text.replace("\n  name: acme\n", "\n  name: amazon\n"))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    located = [line for line in result.output.splitlines() if "Cognito domain prefix" in line]
    assert len(located) == 1, result.output
    assert re.search(
        r"silos\.yaml:\d+:\d+: organization\.name: the staff sign-in domain of every silo would be "
        r"'amazon-silo-partner-admins'",
        located[0],
    )
    assert located[0].endswith("change the organization name")
