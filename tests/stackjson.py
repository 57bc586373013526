"""Find deployed policies in a synthesized or delivered stack (``cdk.tf.json`` parsed, or a
stack of :class:`tests.delivered.Delivery`) by AWS name.

Resources are located by what AWS will see (a bucket's name) and followed through the
Terraform references that wire them (bucket policy -> bucket, SSE config -> KMS key),
so tests read exactly the policy a given bucket or key gets, whatever the logical ids.
"""

from __future__ import annotations

import json
import re

from silolake.aws.terraform_text import unescape

_REF = re.compile(r"^(?:\$\{|tfref:)([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}?$")


def ref_name(token: str) -> str:
    """``${aws_s3_bucket.X.id}`` (synthesized) or ``tfref:aws_s3_bucket.X.id`` (delivered,
    :mod:`tests.delivered`) -> ``X``."""
    m = _REF.match(token)
    if not m:
        raise AssertionError(f"not a resource reference: {token!r}")
    return m.group(2)


def points_to(value: str, logical: str, literal: str) -> bool:
    """Whether an argument names the resource ``logical``: by reference, or (in a delivered
    stack, where Terraform core resolved the reference) by its ``literal`` name."""
    return value == literal or (_REF.match(value) is not None and ref_name(value) == logical)


def policy_json(text: str) -> dict:
    """A policy attribute as AWS receives it, for a policy without Terraform references:
    Terraform turns ``$${`` escapes back into ``${``. ``tests/delivered.py`` asks Terraform
    core itself (and resolves references)."""
    return json.loads(unescape(text))


def resources(stack: dict, rtype: str) -> dict[str, dict]:
    return stack.get("resource", {}).get(rtype, {})


def bucket_named(stack: dict, name: str) -> tuple[str, dict]:
    found = [(k, v) for k, v in resources(stack, "aws_s3_bucket").items() if v["bucket"] == name]
    if len(found) != 1:
        raise LookupError(f"{len(found)} buckets named {name}")
    return found[0]


def _for_bucket(stack: dict, rtype: str, name: str) -> list[dict]:
    logical, _ = bucket_named(stack, name)
    return [v for v in resources(stack, rtype).values() if points_to(v["bucket"], logical, name)]


def bucket_policy(stack: dict, name: str) -> dict:
    [pol] = _for_bucket(stack, "aws_s3_bucket_policy", name)
    return policy_json(pol["policy"])


def bucket_key(stack: dict, name: str) -> dict:
    """The ``aws_kms_key`` resource a bucket's default encryption uses."""
    [sse] = _for_bucket(stack, "aws_s3_bucket_server_side_encryption_configuration", name)
    [rule] = sse["rule"]
    default = rule["apply_server_side_encryption_by_default"]
    assert default["sse_algorithm"] == "aws:kms", f"{name} is not SSE-KMS"
    return resources(stack, "aws_kms_key")[ref_name(default["kms_master_key_id"])]


def bucket_key_policy(stack: dict, name: str) -> dict:
    return policy_json(bucket_key(stack, name)["policy"])


def glue_resource_policy(stack: dict) -> dict | None:
    found = list(resources(stack, "aws_glue_resource_policy").values())
    assert len(found) <= 1, "one Glue resource policy per catalog"
    return policy_json(found[0]["policy"]) if found else None


def in_group(stack: dict, group: str) -> list[dict]:
    """The Scheduler schedules of ``stack`` in the schedule group named ``group`` (``group_name``
    refers to the group resource, or names it in a delivered stack)."""
    logical = [k for k, g in resources(stack, "aws_scheduler_schedule_group").items() if g["name"] == group]
    return [
        s
        for s in resources(stack, "aws_scheduler_schedule").values()
        if any(points_to(s.get("group_name", ""), k, group) for k in logical)
    ]
