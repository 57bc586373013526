"""Constructs format no policy statement and no ARN: statements come from ``silolake/policy/``,
ARNs from ``silolake/aws/arns.py`` (partition-aware) through the per-silo context
(``silolake/constructs/context.py``). Outside the constructs, the policy builders, review,
dev, accounts, stacks and catalog packages format no ARN either: ``silolake/aws/arns.py`` is
the one module that spells ``arn:``, so every ARN follows its region's partition (issue 23).
The templates ``silolake init`` renders (``silolake/templates/``) are scanned as text: their
ARNs take ``arn:<%partition%>:``.

Checked on the parsed source (``ast``), not on the text: a string constant, or the literal
part of an f-string, that is the key ``"Effect"`` or contains ``arn:`` fails. Comments and
docstrings are not code (a docstring may say ``arn:aws:s3:::`` to explain a shape), so the
docstrings of modules, classes and functions are skipped and comments never reach the tree.
Building blocks (``constructs/blocks``) are held to the same rule: they take primitives, but
format no ARN themselves either.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONSTRUCTS = REPO / "silolake" / "constructs"
#: Packages held to the ARN rule only (the policy builders are where statements are built).
ARN_FREE = tuple(REPO / "silolake" / p for p in ("policy", "health", "review", "dev", "accounts", "stacks", "catalog"))


def _docstrings(tree: ast.AST) -> set[int]:
    """``id`` of every docstring constant in ``tree``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def literal_findings(source: str, name: str, *, statements: bool = True) -> list[str]:
    """``name:line: <why>`` for each ``"Effect"`` string (with ``statements``) or ``arn:``
    literal in ``source``."""
    tree = ast.parse(source, name)
    skip = _docstrings(tree)
    findings: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skip:
            continue
        # f-string parts are Constant nodes inside JoinedStr, so they are seen here too.
        if statements and node.value == "Effect":
            findings.append((node.lineno, 'policy statement ("Effect"): build it in silolake/policy/'))
        elif "arn:" in node.value:
            findings.append((node.lineno, f"ARN literal {node.value!r}: use silolake/aws/arns.py or ctx"))
    return [f"{name}:{line}: {why}" for line, why in sorted(findings)]


def test_constructs_format_no_statement_or_arn() -> None:
    findings = []
    for path in sorted(CONSTRUCTS.rglob("*.py")):
        findings += literal_findings(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert findings == []


def test_framework_modules_format_no_arn() -> None:
    """Only ``silolake/aws/arns.py`` formats ARNs (runtime code, which never imports the
    framework, reads the ARNs it needs from its environment or the event)."""
    findings = []
    for package in ARN_FREE:
        for path in sorted(package.rglob("*.py")):
            rel = str(path.relative_to(REPO))
            findings += literal_findings(path.read_text(encoding="utf-8"), rel, statements=False)
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


def test_outside_constructs_only_arns_are_refused() -> None:
    """Policy builders may build statements; an ARN literal is still found."""
    source = 'def f(b):\n    return {"Effect": "Allow", "Resource": f"arn:aws:s3:::{b}"}\n'
    assert literal_findings(source, "p.py", statements=False) == [
        "p.py:2: ARN literal 'arn:aws:s3:::': use silolake/aws/arns.py or ctx"
    ]


def test_init_templates_spell_no_commercial_arn() -> None:
    """The files ``silolake init`` writes (workflows assuming each account's plan role) take
    the partition from ``--region`` (``arn:<%partition%>:``), never a literal ``arn:aws:``."""
    templates = REPO / "silolake" / "templates"
    findings = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sorted(p for p in templates.rglob("*") if p.is_file())
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if re.search(r"arn:aws(-[a-z-]+)?:", line)
    ]
    assert findings == []
