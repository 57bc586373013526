"""checkov over the synthesized example: no unaccepted failure, no parse error."""

from __future__ import annotations

import pytest

from tests.security.checkov_gate import evaluate, load_baseline

pytestmark = pytest.mark.slow


def test_baseline_entries_all_have_reasons():
    for entry in load_baseline():
        assert entry["reason"].strip()


def test_checkov_gate_is_green(example_synth):
    gate = evaluate(example_synth.out)
    problems = [str(f) for f in gate.failed] + [f"parse error: {e}" for e in gate.parsing_errors]
    assert gate.resource_count > 0 or gate.passed > 0, "checkov evaluated nothing"
    assert not problems, "checkov gate:\n" + "\n".join(problems)


def test_gate_detects_failures_and_parse_errors(tmp_path):
    """The gate itself must be able to fail: an unencrypted public bucket and a broken file."""
    stack = tmp_path / "stacks" / "bad"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(
        '{"resource": {"aws_s3_bucket": {"open": {"bucket": "x"}},'
        ' "aws_s3_bucket_public_access_block": {"open": {"bucket": "x", "block_public_acls": false}}}}'
    )
    (tmp_path / "stacks" / "broken").mkdir()
    (tmp_path / "stacks" / "broken" / "cdk.tf.json").write_text('{"resource": {')
    gate = evaluate(tmp_path, baseline=[])
    assert gate.failed, "an insecure bucket must fail the gate"
    assert gate.parsing_errors, "an unparsable file must fail the gate"


def test_gate_checks_the_resources_of_a_stack_with_moved_blocks(tmp_path):
    """checkov cannot parse ``moved``/``removed`` lists; the gate scans the stack without them."""
    stack = tmp_path / "stacks" / "moving"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(
        '{"moved": [{"from": "aws_s3_bucket.a", "to": "aws_s3_bucket.open"}],'
        ' "removed": [{"from": "aws_s3_bucket.b", "lifecycle": {"destroy": false}}],'
        ' "resource": {"aws_s3_bucket": {"open": {"bucket": "x"}}}}'
    )
    gate = evaluate(tmp_path, baseline=[])
    assert not gate.parsing_errors
    assert any(f.resource == "aws_s3_bucket.open" for f in gate.failed)
