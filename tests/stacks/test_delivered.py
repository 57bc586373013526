"""What AWS receives is what the tests prove: every synthesized string as Terraform core
delivers it (:mod:`tests.delivered`).

- No string of any stack is escaped twice (``$$${``), and every live ``${...}`` is a
  Terraform expression the engine emitted: a literal (an IAM policy variable, a shell
  variable of a buildspec) appears escaped, ``$${``.
- Every IAM policy variable reaches AWS with exactly one ``$``.
"""

from __future__ import annotations

import json
import re

import pytest

from silolake import policy
from silolake.aws import partner_access_names
from silolake.aws.terraform_text import literal
from tests.delivered import interpolations, leaves, problems, string_problems
from tests.terraform_eval import evaluate

pytestmark = pytest.mark.slow

#: An IAM policy variable as a synthesized (escaped) string holds it, and as AWS gets it.
ESCAPED_VARIABLE = re.compile(r"\$\$\{([A-Za-z0-9-]+):[^}]+\}")
DELIVERED_VARIABLE = re.compile(r"(\$+)\{([A-Za-z0-9-]+):[^}]+\}")


def test_the_scanner_reads_templates_as_terraform_does(tmp_path) -> None:
    samples = {
        "a/$${aws:x}/b": [],
        "a/$$${aws:x}/b": [],  # "$" + the escape "$${"
        "x ${aws_s3_bucket.b.arn}/*": ["aws_s3_bucket.b.arn"],
        '${compact([var.v, "}"])} and ${data.aws_ssm_parameter.p.value}': [
            'compact([var.v, "}"])',
            "data.aws_ssm_parameter.p.value",
        ],
        "%%{ if x } $$": [],
    }
    for text, bodies in samples.items():
        assert [i.body for i in interpolations(text)] == bodies, text
    # Terraform core agrees on the escapes.
    assert evaluate(["a/$${aws:x}/b", "a/$$${aws:x}/b", "%%{ if x } $$"], tmp_path) == [
        "a/${aws:x}/b",
        "a/$${aws:x}/b",
        "%{ if x } $$",
    ]
    assert [p.reason for p in string_problems("s", (), "a/$$${aws:x}/b")] == ["escaped twice"]
    for live in ("b/${aws:PrincipalAccount}", "${commit}.whl", "%{ if x }", "${TfToken[TOKEN.1]}", "${s3:prefix}"):
        assert string_problems("s", (), live), live


def test_no_string_is_escaped_twice_and_every_interpolation_is_the_engines(example_synth) -> None:
    found = problems(example_synth)
    assert not found, "\n".join(map(str, found))


def test_every_policy_variable_reaches_aws_with_one_dollar(example_synth, example_delivery) -> None:
    kinds: set[str] = set()
    checked = 0
    for name in example_synth.stack_names:
        delivered = dict(leaves(example_delivery.stacks[name]))
        for path, text in leaves(example_synth.stack(name)):
            escaped = ESCAPED_VARIABLE.findall(text)
            if not escaped:
                continue
            kinds.update(escaped)
            value = delivered[path]
            got = DELIVERED_VARIABLE.findall(value)
            assert len(got) == len(escaped), (name, path, value)
            assert all(dollars == "$" for dollars, _ in got), (name, path, value)
            checked += 1
    assert "aws" in kinds and checked >= 4, (kinds, checked)


@pytest.mark.parametrize(
    "variable",
    [
        "${aws:PrincipalTag/silolake:partner-username}",
        "${aws:PrincipalAccount}",
        "${transfer:UserName}",
        "${s3:prefix}",
    ],
)
def test_render_delivers_every_variable_kind_with_one_dollar(variable: str, tmp_path) -> None:
    doc = policy.document(
        [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::b/{variable}/*", "Sid": "%{x}"}]
    )
    [delivered] = evaluate([policy.render(doc)], tmp_path)
    assert delivered == policy.to_json(doc)
    assert json.loads(delivered)["Statement"][0]["Resource"] == f"arn:aws:s3:::b/{variable}/*"


def test_catalog_text_and_policies_are_escaped_by_one_function() -> None:
    """``policy.render`` is ``terraform_text.literal`` around the cdktf tokens, nothing more."""
    doc = {"a": "${aws:userid} %{ x }", "b": "${TfToken[TOKEN.7]}"}
    assert policy.render(doc) == policy.to_json(doc).replace(json.dumps(doc["a"]), json.dumps(literal(doc["a"])))


#: Every ``${`` of a delivered string with what precedes it: a policy variable's namespace.
_VARIABLE_AT = re.compile(r"(\$*)\$\{([A-Za-z0-9-]*):")


def test_every_delivered_policy_holds_its_variables_with_one_dollar(example_delivery) -> None:
    """Read on the delivered documents alone (no comparison with the synth): every ``${`` of every
    policy Terraform sends AWS opens a policy variable with exactly one ``$`` (``$${`` would be a
    literal ``$`` before the variable, matching nothing AWS means), and the variables the
    partner boundary and the artifacts bucket depend on are there."""
    strings = [text for doc in example_delivery.policies().values() for _, text in leaves(doc)]
    assert len(strings) > 100
    assert not [t for t in strings if "$${" in t]
    opened = [m for t in strings for m in _VARIABLE_AT.finditer(t)]
    assert sum(t.count("${") for t in strings) == len(opened)  # every ${ opens a variable
    assert {m.group(1) for m in opened} == {""}
    namespaces = {m.group(2) for m in opened}
    assert namespaces <= {"aws", "transfer", "s3"} and "aws" in namespaces, namespaces
    boundary = json.dumps(
        example_delivery.policy("silo-sales", "aws_iam_policy", name=partner_access_names.partner_boundary("sales"))
    )
    assert "/${aws:PrincipalTag/silolake:partner-username}/*" in boundary


class _TwoStacks:
    """Two stacks with the same logical id and different literal names, as two silos have."""

    stack_names = ["silo-a", "silo-b"]

    def stack(self, name: str) -> dict:
        return {
            "resource": {
                "aws_cloudwatch_event_rule": {"rule": {"name": f"{name}-schedule"}},
                "aws_cloudwatch_event_target": {"target": {"rule": "${aws_cloudwatch_event_rule.rule.name}"}},
            }
        }


def test_a_reference_resolves_within_its_own_stack(tmp_path) -> None:
    """Each stack is its own Terraform configuration: a reference never takes a value from
    another stack that happens to use the same logical id."""
    from tests.delivered import deliver

    delivery = deliver(_TwoStacks(), tmp_path)
    for name in _TwoStacks.stack_names:
        target = delivery.resources(name, "aws_cloudwatch_event_target")["target"]
        assert target["rule"] == f"{name}-schedule"
