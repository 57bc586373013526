"""docs/day-2.md: every row of the change table names tests that exist."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO

DOC = REPO / "docs" / "day-2.md"


def test_every_change_row_is_backed_by_existing_tests():
    table = DOC.read_text().split("## Every kind of catalog change")[1].split("\n## ")[0]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| change | verdict", "|---"))
    ]
    assert len(rows) >= 18
    for row in rows:
        refs = re.findall(r"`(test_\w+\.py)::(test_\w+)(?:\[\w+\])?`", row)
        assert refs, f"row without a test: {row}"
        for module, name in refs:
            tree = ast.parse((REPO / "tests" / "day2" / module).read_text())
            assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, (module, name)
