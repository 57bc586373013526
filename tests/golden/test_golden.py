"""The example's synthesized stacks equal the committed golden snapshot, stack by stack.

A deliberate change is accepted with ``.venv/bin/python -m tests.golden accept``; the
diff of ``tests/golden/stacks/`` then shows reviewers what the change does to every stack.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden import golden, texts

ACCEPT = "accept it with `.venv/bin/python -m tests.golden accept` and commit tests/golden/stacks/"

pytestmark = pytest.mark.slow


def test_every_stack_matches_the_golden_snapshot(example_delivery) -> None:
    synthesized = texts(example_delivery)
    expected = golden()
    assert expected, f"no golden snapshot yet: {ACCEPT}"
    assert sorted(synthesized) == sorted(expected), f"the set of stacks changed; if deliberate, {ACCEPT}"
    for name, text in synthesized.items():
        if text != expected[name]:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        expected[name].splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        f"golden/{name}.json",
                        f"synthesized/{name}.json",
                        n=2,
                    )
                )[:80]
            )
            pytest.fail(f"stack {name} differs from the golden snapshot; if deliberate, {ACCEPT}\n{diff}")
