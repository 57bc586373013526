"""Every service trust is pinned: no AWS service may act on silolake's roles or resources for
another account (the confused deputy).

The walk covers every policy document in every stack as Terraform delivers it
(``example_delivery``: trust policies, bucket, key, Glue and API resource policies, wherever a
string attribute holds one), so a new construct is checked without anyone listing it here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.iam.iam_sim import simulate
from tests.stackjson import policy_json

pytestmark = pytest.mark.slow

#: Condition keys that pin a service principal to the calling account or resource.
SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}

#: Services that document another key for the same purpose, with where it is documented.
EQUIVALENTS = {
    # "Firehose passes your account id as the external id": Firehose developer guide,
    # "Grant Firehose access to an Amazon S3 destination" (confused deputy note).
    "firehose.amazonaws.com": {"sts:externalid"},
    # CloudWatch Logs encrypting with a customer key: the log group ARN in the
    # encryption context, "Encrypt log data in CloudWatch Logs using AWS KMS".
    "logs.*.amazonaws.com": {"kms:encryptioncontext:aws:logs:arn"},
}


def policy_documents(node, where: str) -> Iterator[tuple[str, dict]]:
    """Every IAM policy document held as a JSON string anywhere in a resource's attributes."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from policy_documents(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from policy_documents(v, f"{where}[{i}]")
    elif isinstance(node, str) and node.startswith("{") and '"Statement"' in node:
        yield where, policy_json(node)


def service_statements(synth) -> list[tuple[str, str, dict]]:
    """(where, service principal, statement) for every Allow to a service principal."""
    found = []
    for stack_name in synth.stack_names:
        for rtype, items in synth.stack(stack_name).get("resource", {}).items():
            for logical, attrs in items.items():
                for where, doc in policy_documents(attrs, f"{stack_name}:{rtype}.{logical}"):
                    for stmt in doc["Statement"]:
                        principal = stmt.get("Principal")
                        services = principal.get("Service", []) if isinstance(principal, dict) else []
                        for service in [services] if isinstance(services, str) else services:
                            if stmt["Effect"] == "Allow":
                                found.append((where, service, stmt))
    return found


def condition_keys(stmt: dict) -> set[str]:
    return {key.lower() for block in stmt.get("Condition", {}).values() for key in block}


def accepted_keys(service: str) -> set[str]:
    keys = set(SOURCE_KEYS)
    for pattern, extra in EQUIVALENTS.items():
        prefix, _, suffix = pattern.partition("*")
        if service == pattern or (service.startswith(prefix) and service.endswith(suffix) and "*" in pattern):
            keys |= extra
    return keys


def test_every_service_principal_is_pinned(example_delivery):
    found = service_statements(example_delivery)
    services = {s for _, s, _ in found}
    # The walk really sees the trusts it is about (guards against a walk that finds nothing).
    assert {"apigateway.amazonaws.com", "firehose.amazonaws.com", "logging.s3.amazonaws.com"} <= services
    unpinned = [(w, s) for w, s, stmt in found if not condition_keys(stmt) & accepted_keys(s)]
    assert not unpinned, unpinned


def test_the_walk_fails_on_an_unpinned_trust():
    doc = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "x"}]}
    attrs = {"assume_role_policy": json.dumps(doc)}
    [(where, found)] = list(policy_documents(attrs, "r"))
    stmt = found["Statement"][0]
    assert where == "r.assume_role_policy"
    assert not condition_keys(stmt) & accepted_keys("apigateway.amazonaws.com")


def _roles(synth):
    for stack_name in synth.stack_names:
        stack = synth.stack(stack_name)
        for logical, role in stack.get("resource", {}).get("aws_iam_role", {}).items():
            account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
            yield stack_name, logical, role, account


def stack_region(synth, stack_name: str) -> str:
    return synth.stack(stack_name)["provider"]["aws"][0]["region"]


def test_a_service_of_a_foreign_account_cannot_assume_any_role(example_delivery):
    """For every role a service may assume: the service acting for this account may, the same
    service acting for another account (aws:SourceAccount, sts:ExternalId) may not."""
    foreign = "999999999999"
    cases, expected = [], {}
    for stack_name, logical, role, account in _roles(example_delivery):
        trust = policy_json(role["assume_role_policy"])
        arn = f"arn:aws:iam::{account}:role/{role['name']}"
        for stmt in trust["Statement"]:
            principal = stmt.get("Principal", {})
            services = principal.get("Service", []) if isinstance(principal, dict) else []
            for service in [services] if isinstance(services, str) else services:
                # A trust pinned to one resource too (aws:SourceArn) sees that resource's ARN,
                # in the role's own account or, for the foreign case, the same ARN elsewhere.
                pinned_arn = next(
                    (
                        v
                        for block in stmt.get("Condition", {}).values()
                        for k, v in block.items()
                        if k == "aws:SourceArn"
                    ),
                    None,
                )
                for who, source in (("own", account), ("foreign", foreign)):
                    context = {"aws:SourceAccount": source, "aws:PrincipalIsAWSService": "true"}
                    if isinstance(pinned_arn, str):
                        context["aws:SourceArn"] = pinned_arn.replace(f":{account}:", f":{source}:")
                    if service == "firehose.amazonaws.com":
                        context["sts:ExternalId"] = source
                    if service == "malware-protection-plan.guardduty.amazonaws.com":  # pinned to its plans too
                        region = stack_region(example_delivery, stack_name)
                        context["aws:SourceArn"] = f"arn:aws:guardduty:{region}:{source}:malware-protection-plan/p1"
                    pinned = stmt.get("Condition", {}).get("ArnLike", {}).get("aws:SourceArn")
                    if (
                        pinned and "aws:SourceArn" not in context
                    ):  # the exact resource the service acts for, in this or the other account
                        first = pinned if isinstance(pinned, str) else pinned[0]
                        context["aws:SourceArn"] = first.replace(f":{account}:", f":{source}:").replace("*", "x")
                    name = f"{stack_name}/{logical}/{service}/{who}"
                    cases.append(
                        {
                            "name": name,
                            "principal": service,
                            "action": "sts:AssumeRole",
                            "resource": arn,
                            "resourceAccount": account,
                            "resourcePolicy": trust,
                            "context": context,
                        }
                    )
                    expected[name] = "Allowed" if who == "own" else "denied"
    assert sum(1 for n in expected if n.endswith("/foreign")) >= 6
    got = {r["name"]: r["decision"] for r in simulate(cases)}
    wrong = {n: got[n] for n, e in expected.items() if (got[n] == "Allowed") != (e == "Allowed")}
    assert not wrong, wrong
