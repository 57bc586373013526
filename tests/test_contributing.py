"""docs/contributing.md stays true: every repository path it names exists, and every named
Python attribute of a module (``typed(...)`` of ``silolake/engine/cdk.py``) is still there."""

from __future__ import annotations

import re

from tests.import_graph import REPO

GUIDE = REPO / "docs" / "contributing.md"
#: A backticked repository path: a top-level folder of the repository, then more.
PATH = re.compile(r"`((?:silolake|tests|docs|scripts|delivery|glue_src|benchmarks)/[^`\s]*|README\.md)`")


def referenced_paths(text: str) -> list[str]:
    """Paths named in ``text`` (placeholders such as ``<name>.py`` name their folder)."""
    found = []
    for raw in PATH.findall(text):
        path = raw.split("<", 1)[0].rstrip("/") if "<" in raw else raw.rstrip("/")
        found.append(path)
    return sorted(set(found))


def test_every_path_the_guide_names_exists() -> None:
    paths = referenced_paths(GUIDE.read_text(encoding="utf-8"))
    assert len(paths) >= 40, "the scan found too few paths to be reading the guide"
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == [], f"docs/contributing.md names paths that do not exist: {missing}"


def test_the_guide_covers_each_kind_of_change() -> None:
    headings = re.findall(r"^## (.+)$", GUIDE.read_text(encoding="utf-8"), re.M)
    assert headings == [
        "Add a CLI command",
        "Add a naming rule",
        "Add a catalog change rule",
        "Add an ETL step",
        "Add a capability construct",
        "Add an ingestion channel",
    ]


def test_the_names_it_cites_are_defined_where_it_says() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    cited = {
        "silolake/engine/cdk.py": "def typed(",
        "silolake/cli/shared/common.py": "class SilolakeGroup(",
        "silolake/errors.py": "class UsageError(",
        "silolake/aws/name_rule.py": "class NameRule",
        "silolake/catalog/changes/base.py": "class Change",
        "silolake/stacks/continuity.py": "DATA_TYPES = ",
        "silolake/channels/registry.py": "CHANNELS: tuple[Channel, ...] = ",
        "silolake/catalog/model.py": "def switched_on(",
        "silolake/catalog/semantic.py": "def check_source(",
        "silolake/constructs/context.py": "class SiloContext(",
        "silolake/aws/arns.py": "def partition_of(",
        "tests/cli/test_exit_codes.py": "CASES: ",
    }
    for path, definition in cited.items():
        assert f"`{path}`" in text
        assert definition in (REPO / path).read_text(encoding="utf-8"), f"{path} no longer defines {definition!r}"


def test_the_scan_sees_a_missing_path() -> None:
    text = "see `silolake/nowhere.py` and `silolake/cli/commands/<name>.py` and `README.md`"
    paths = referenced_paths(text)
    assert paths == ["README.md", "silolake/cli/commands", "silolake/nowhere.py"]
    assert [p for p in paths if not (REPO / p).exists()] == ["silolake/nowhere.py"]
