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
        # `test_x.py::test_y` is in tests/day2; `etl/test_x.py::test_y` names its folder under tests/.
        refs = re.findall(r"`((?:\w+/)?test_\w+\.py)::(test_\w+)(?:\[[\w-]+\])?`", row)
        assert refs, f"row without a test: {row}"
        for module, name in refs:
            folder = REPO / "tests" / ("" if "/" in module else "day2")
            tree = ast.parse((folder / module).read_text())
            assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, (module, name)
