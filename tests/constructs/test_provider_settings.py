"""Typed provider settings: nested blocks reach Terraform as the provider's struct classes
(:func:`silolake.engine.cdk.typed`), never as raw dicts inside lists, which the engine takes as they
are and whose snake_case keys it drops without an error."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.import_graph import PACKAGE

CONSTRUCTS = PACKAGE / "constructs"


def _provider_call(node: ast.Call) -> bool:
    """``aws.<module>.<Class>(...)`` called directly (not through ``typed``)."""
    func, depth = node.func, 0
    while isinstance(func, ast.Attribute):
        func, depth = func.value, depth + 1
    return isinstance(func, ast.Name) and func.id == "aws" and depth == 2


def _dicts_in_lists(node: ast.AST, in_list: bool = False) -> list[ast.Dict]:
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Dict) and in_list:
            found.append(child)
        found += _dicts_in_lists(child, in_list or isinstance(child, ast.List | ast.ListComp | ast.Tuple))
    return found


def raw_nested_dicts(source: str, name: str) -> list[str]:
    """``name:line: Class.argument`` for every dict inside a list passed to a provider class directly."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _provider_call(node):
            for kw in node.keywords:
                top = isinstance(kw.value, ast.List | ast.ListComp | ast.Tuple)
                if _dicts_in_lists(kw.value, top):
                    found.append(f"{name}:{node.lineno}: {ast.unparse(node.func)}.{kw.arg}")
    return found


def test_no_construct_passes_raw_nested_dicts_to_a_provider_class() -> None:
    found = [
        hit
        for path in sorted(CONSTRUCTS.rglob("*.py"))
        for hit in raw_nested_dicts(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    ]
    assert found == [], "wrap these provider classes in silolake.engine.cdk.typed(...)"


def test_the_scan_sees_a_raw_nested_dict() -> None:
    source = (
        "aws.s3_bucket_cors_configuration.S3BucketCorsConfiguration(self, 'c', cors_rule=[{'allowed_methods': []}])\n"
        "typed(aws.s3_bucket_cors_configuration.S3BucketCorsConfiguration)(self, 'c', cors_rule=[{'x': 1}])\n"
        "aws.s3_bucket_versioning.S3BucketVersioningA(self, 'v', versioning_configuration={'status': 'Enabled'})\n"
        "aws.iam_role.IamRole(self, 'r', inline_policy=[x for x in [{'name': 'a'}]])\n"
    )
    assert raw_nested_dicts(source, "probe.py") == [
        "probe.py:1: aws.s3_bucket_cors_configuration.S3BucketCorsConfiguration.cors_rule",
        "probe.py:4: aws.iam_role.IamRole.inline_policy",
    ]


RULE = {
    "id": "abort",
    "status": "Enabled",
    "filter": [{}],
    # snake_case (the Python argument) and camelCase (the jsii name) both name a setting
    "abort_incomplete_multipart_upload": [{"daysAfterInitiation": 7}],
}


def _lifecycle_rules(wrap: bool) -> list[dict]:
    from silolake.engine.cdk import TerraformStack, Testing, aws, typed

    stack = TerraformStack(Testing.app(), "probe")
    cls = aws.s3_bucket_lifecycle_configuration.S3BucketLifecycleConfiguration
    (typed(cls) if wrap else cls)(stack, "lifecycle", bucket="b", rule=[RULE])
    doc = json.loads(Testing.synth(stack))
    return doc["resource"]["aws_s3_bucket_lifecycle_configuration"]["lifecycle"]["rule"]


def test_typed_delivers_a_snake_case_setting_inside_a_list_that_a_raw_dict_loses() -> None:
    [rule] = _lifecycle_rules(wrap=True)
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["id"] == "abort" and rule["filter"] == [{}]
    # the fault typed exists for: the same rule as a raw dict loses its action, silently
    [raw] = _lifecycle_rules(wrap=False)
    assert "abort_incomplete_multipart_upload" not in raw


def test_typed_refuses_an_unknown_setting_with_its_path(tmp_path: Path) -> None:
    from silolake.engine.cdk import TerraformStack, Testing, aws, typed

    stack = TerraformStack(Testing.app(), "probe")
    cls = aws.s3_bucket_lifecycle_configuration.S3BucketLifecycleConfiguration
    bad = {**RULE, "abort_incomplete_multipart_upload": [{"days_after": 7}]}
    with pytest.raises(
        TypeError, match=r"rule\[0\]\.abort_incomplete_multipart_upload\[0\]: unknown setting 'days_after'"
    ):
        typed(cls)(stack, "lifecycle", bucket="b", rule=[bad])
