"""Constructs format no policy statement and no ARN: statements come from ``silolake/policy/``,
ARNs from ``silolake/aws/arns.py`` (partition-aware) through the per-silo context
(``silolake/constructs/context.py``).

Checked on the parsed source (``ast``), not on the text: a string constant, or the literal
part of an f-string, that is the key ``"Effect"`` or contains ``arn:`` fails. Comments and
docstrings are not code (a docstring may say ``arn:aws:s3:::`` to explain a shape), so the
docstrings of modules, classes and functions are skipped and comments never reach the tree.
Building blocks (``constructs/blocks``) are held to the same rule: they take primitives, but
format no ARN themselves either.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONSTRUCTS = REPO / "silolake" / "constructs"


def _docstrings(tree: ast.AST) -> set[int]:
    """``id`` of every docstring constant in ``tree``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def literal_findings(source: str, name: str) -> list[str]:
    """``name:line: <why>`` for each ``"Effect"`` string or ``arn:`` literal in ``source``."""
    tree = ast.parse(source, name)
    skip = _docstrings(tree)
    findings: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skip:
            continue
        # f-string parts are Constant nodes inside JoinedStr, so they are seen here too.
        if node.value == "Effect":
            findings.append((node.lineno, 'policy statement ("Effect"): build it in silolake/policy/'))
        elif "arn:" in node.value:
            findings.append((node.lineno, f"ARN literal {node.value!r}: use silolake/aws/arns.py or ctx"))
    return [f"{name}:{line}: {why}" for line, why in sorted(findings)]


def test_constructs_format_no_statement_or_arn() -> None:
    findings = []
    for path in sorted(CONSTRUCTS.rglob("*.py")):
        findings += literal_findings(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert findings == []


def test_the_literal_scan_sees_statements_and_arns_but_not_prose() -> None:
    """The rule can fail: a statement dict, a plain and an f-string ARN are found; a docstring,
    a comment and a name merely ending in ``_arn`` are not."""
    source = '''"""Module docstring naming arn:aws:s3:::bucket."""
# a comment about arn:aws:iam::123:role/x and "Effect"
def f(bucket, key_arn):
    """Function docstring: "Effect": "Allow" on arn:aws:s3:::x."""
    statement = {"Effect": "Allow", "Resource": key_arn}
    plain = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    formatted = f"arn:aws:s3:::{bucket}/*"
    return statement, plain, formatted
'''
    assert literal_findings(source, "probe.py") == [
        'probe.py:5: policy statement ("Effect"): build it in silolake/policy/',
        "probe.py:6: ARN literal 'arn:aws:iam::aws:policy/ReadOnlyAccess': use silolake/aws/arns.py or ctx",
        "probe.py:7: ARN literal 'arn:aws:s3:::': use silolake/aws/arns.py or ctx",
    ]
