"""docs/day-2.md: every row of the change table names tests that exist, and every kind of
change a rule can emit has a row (the table's "kind" column, as ``validate`` prints it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

DOC = REPO / "docs" / "day-2.md"
# Where Change records are built: the rules, and the synthesized comparison of validate.
EMITTERS = sorted((REPO / "silolake" / "catalog" / "changes").glob("*.py")) + [
    REPO / "silolake" / "cli" / "shared" / "synthesized.py"
]
# A value read at run time (a capability, a region, a key without a literal loop): one word.
PLACEHOLDER = r"[\w.-]+"


def _rows() -> list[list[str]]:
    table = DOC.read_text().split("## Every kind of catalog change")[1].split("\n## ")[0]
    lines = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| change | kind", "|---"))
    ]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def _loop_values(name: str, scopes: list[ast.AST], module: ast.Module) -> list[str] | None:
    """The string values ``name`` takes in an enclosing ``for name in (literals)`` (or a
    module constant tuple of literals); ``None`` when read at run time."""
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == name:
                it = node.iter
                if isinstance(it, ast.Name):  # a module constant, e.g. KEYS = ("name", ...)
                    found = [
                        a.value
                        for a in module.body
                        if isinstance(a, ast.Assign) and any(getattr(t, "id", "") == it.id for t in a.targets)
                    ]
                    it = found[0] if found else it
                if isinstance(it, (ast.Tuple, ast.List)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in it.elts
                ):
                    return [e.value for e in it.elts]  # type: ignore[attr-defined]
    return None


def _patterns(expr: ast.expr, scopes: list[ast.AST], module: ast.Module, where: str) -> list[str]:
    """Regexes of the kinds ``expr`` (a Change's first argument) can be."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [re.escape(expr.value)]
    if isinstance(expr, ast.JoinedStr):
        out = [""]
        for part in expr.values:
            if isinstance(part, ast.Constant):
                out = [o + re.escape(part.value) for o in out]
                continue
            assert isinstance(part, ast.FormattedValue)
            names = [n.id for n in ast.walk(part.value) if isinstance(n, ast.Name)]
            values = _loop_values(names[0], scopes, module) if len(names) == 1 else None
            if values is None:
                out = [o + PLACEHOLDER for o in out]
            else:  # evaluate the expression (e.g. key.replace('_id', '')) for each literal
                code = compile(ast.Expression(part.value), where, "eval")
                out = [o + re.escape(str(eval(code, {}, {names[0]: v}))) for o in out for v in values]
        return out
    if isinstance(expr, ast.Name):  # kind = f"..."; Change(kind, ...) in the same function
        for scope in scopes:
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == expr.id for t in node.targets):
                    return _patterns(node.value, scopes, module, where)
    raise AssertionError(f"{where}: the kind of this Change cannot be read (give a literal or an f-string)")


def _visit(node: ast.AST, scopes: list[ast.AST], module: ast.Module, name: str, kinds: dict[str, str]) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        scopes = [node, *scopes]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Change":
        where = f"{name}:{node.lineno}"
        first = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "kind")
        for pattern in _patterns(first, scopes, module, where):
            kinds.setdefault(pattern, where)
    for child in ast.iter_child_nodes(node):
        _visit(child, scopes, module, name, kinds)


def emitted_kinds(paths: list[Path]) -> dict[str, str]:
    """Regex of every kind a Change can be built with in ``paths`` -> where (file:line)."""
    kinds: dict[str, str] = {}
    for path in paths:
        module = ast.parse(path.read_text())
        _visit(module, [], module, str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name, kinds)
    return kinds


def documented_kinds() -> set[str]:
    """The kinds the table's rows name (``<...>``: a value read at run time)."""
    return {k for row in _rows() for k in re.findall(r"`([^`]+)`", row[1])}


def missing_rows(emitted: dict[str, str], documented: set[str]) -> list[str]:
    return [
        f"{where}: kind '{pattern}' has no row in docs/day-2.md"
        for pattern, where in sorted(emitted.items(), key=lambda kv: kv[1])
        if not any(re.fullmatch(pattern, re.sub(r"<[^>]+>", "x", kind)) for kind in documented)
    ]


def test_every_change_row_is_backed_by_existing_tests():
    rows = _rows()
    assert len(rows) >= 18
    for row in rows:
        assert len(row) == 5, f"row without its five cells: {row[0]}"
        # `test_x.py::test_y` is in tests/day2; `etl/test_x.py::test_y` names its folder under tests/.
        refs = re.findall(r"`((?:\w+/)?test_\w+\.py)::(test_\w+)(?:\[[\w-]+\])?`", row[4])
        assert refs, f"row without a test: {row[0]}"
        for module, name in refs:
            folder = REPO / "tests" / ("" if "/" in module else "day2")
            tree = ast.parse((folder / module).read_text())
            assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, (module, name)


def test_every_kind_a_rule_can_emit_has_a_row():
    emitted, documented = emitted_kinds(EMITTERS), documented_kinds()
    assert len(emitted) >= 40
    missing = missing_rows(emitted, documented)
    assert not missing, "\n".join(missing)
    stale = [k for k in documented if not any(re.fullmatch(p, re.sub(r"<[^>]+>", "x", k)) for p in emitted)]
    assert not stale, f"kinds in docs/day-2.md no rule emits: {stale}"


def test_a_kind_without_a_row_is_named_where_it_is_built(tmp_path: Path):
    """Kinds are read from the code (literals, f-strings over literal loops, a variable
    assigned in the function), so a new rule's kind cannot hide from the table."""
    documented = documented_kinds()
    source = (
        "KEYS = ('alpha', 'beta_id')\n"
        "def rule(pair, at):\n"
        "    out = [Change('silo added', 's', 'safe', 'e')]\n"
        "    for key in KEYS:\n"
        "        out.append(Change(f\"organization.{key.replace('_id', '')} moved\", 's', 'safe', 'e'))\n"
        "    kind = f'switched on again: {pair.name}'\n"
        "    return out + [Change(kind, 's', 'safe', 'e')]\n"
    )
    (tmp_path / "rule.py").write_text(source)
    kinds = emitted_kinds([tmp_path / "rule.py"])
    assert sorted(kinds) == sorted(
        [
            "silo\\ added",
            "organization\\.alpha\\ moved",
            "organization\\.beta\\ moved",
            f"switched\\ on\\ again:\\ {PLACEHOLDER}",
        ]
    )
    assert missing_rows(kinds, documented) == [
        "rule.py:5: kind 'organization\\.alpha\\ moved' has no row in docs/day-2.md",
        "rule.py:5: kind 'organization\\.beta\\ moved' has no row in docs/day-2.md",
    ]
