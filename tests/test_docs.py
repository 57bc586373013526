"""Documentation that must stay true."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_readme_catalog_reference_matches_schema():
    sys.path.insert(0, str(REPO / "scripts"))
    import catalog_reference

    readme = (REPO / "README.md").read_text()
    section = readme.split(catalog_reference.BEGIN)[1].split(catalog_reference.END)[0].strip()
    assert section == catalog_reference.render(), (
        "run: python3 scripts/catalog_reference.py --write (it runs itself under .venv/bin/python)"
    )


def test_the_reference_script_runs_from_an_interpreter_without_the_dependencies(tmp_path):
    """The recipe's ``python3 scripts/catalog_reference.py``: a ``python3`` without
    jsonschema_rs (``-S``: no site-packages) runs the script again under ``.venv``."""
    import subprocess

    sys.path.insert(0, str(REPO / "scripts"))
    import catalog_reference

    env = {k: v for k, v in os.environ.items() if k not in ("SILOLAKE_REEXEC", "PYTHONPATH")}
    script = str(REPO / "scripts" / "catalog_reference.py")
    done = subprocess.run([sys.executable, "-S", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == catalog_reference.render()


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["python3 scripts/dev.py synth", "python3 scripts/dev.py test"]
    assert "python3 scripts/dev.py test" in (REPO / ".ci" / "run").read_text()


def test_linked_docs_exist():
    readme = (REPO / "README.md").read_text()
    for target in (
        "docs/account-lifecycle.md",
        "docs/sharing.md",
        "docs/data-plane.md",
        "docs/ingestion-api.md",
        "docs/delivery.md",
        "docs/etl.md",
        "docs/security.md",
        "benchmarks/RESULTS.md",
    ):
        if f"]({target})" in readme:
            assert (REPO / target).exists(), f"README links {target}, which does not exist"


def test_security_table_names_tests_that_exist():
    """docs/security.md, "The delivery chain stays bounded": every test the table names exists."""
    import re

    text = (REPO / "docs" / "security.md").read_text()
    section = text.split("### The delivery chain stays bounded", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 10
    for row in rows:
        named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", row.rsplit("|", 2)[-2])
        assert named, row
        for path, function in named:
            source = (REPO / path).read_text()
            assert not function or re.search(rf"^def {function}\(", source, re.M), f"{path}::{function}"
