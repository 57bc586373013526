"""``silolake diagram``: Mermaid for PR comments and the README, SVG through Graphviz."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.review.diagram import build, to_dot, to_mermaid, to_svg

from ..conftest import EXAMPLE

REPO = Path(__file__).resolve().parents[2]


def test_mermaid_shows_structure_flows_channels_and_reads(example_catalog) -> None:
    text = to_mermaid(build(example_catalog))
    assert text.startswith("flowchart LR\n")
    for silo in example_catalog.silos:
        assert f'subgraph silo_{silo.name}["silo {silo.name} ·' in text
        for flow in silo.flows:
            assert f"flow_{silo.name}_{flow.name}[(" in text
    for consumer in example_catalog.analytics:
        readable = {s.name for s in example_catalog.deployable_silos if consumer.reads(s)}
        drawn = set(
            re.findall(rf"analytics_{consumer.name.replace('-', '_')} -\. \"reads processed\" \.-> silo_(\w+)", text)
        )
        assert drawn == readable
    assert 'subgraph ou_silos["OU Silos"]' in text and 'channel_sftp{{"SFTP"}}' in text
    pending = [s for s in example_catalog.silos if not s.account_id]
    assert all(f"style silo_{s.name} stroke-dasharray" in text for s in pending)


def test_decommissioned_silos_are_grey_and_read_by_nobody(example_catalog) -> None:
    sales = example_catalog.silo("sales")
    variant = dataclasses.replace(
        example_catalog,
        silos=tuple(dataclasses.replace(s, decommission=True) if s is sales else s for s in example_catalog.silos),
    )
    text = to_mermaid(build(variant))
    assert "style silo_sales fill:#eee" in text and ".-> silo_sales" not in text


def test_highlight_outlines_the_given_stacks(example_catalog) -> None:
    text = to_mermaid(build(example_catalog, ["silo-sales", "analytics-finance-audit", "no-such-stack"]))
    assert "style silo_sales stroke:#d62728" in text and "style analytics_finance_audit stroke:#d62728" in text


def test_readme_shows_the_examples_diagram(example_catalog) -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"<!-- diagram:begin -->\n```mermaid\n(.*?)```\n<!-- diagram:end -->", readme, re.S)
    assert block, "README has no diagram block"
    assert block.group(1) == to_mermaid(build(example_catalog)), (
        "regenerate: silolake diagram tests/fixtures/acme/silos.yaml"
    )


def test_dot_is_well_formed(example_catalog) -> None:
    dot = to_dot(build(example_catalog, ["silo-sales"]))
    assert dot.count("{") == dot.count("}") and "cluster_silo_sales" in dot and "lhead=cluster_silo_logistics" in dot


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` not installed (scripts/dev.py setup installs it as root)"
)
def test_svg_renders_offline(example_catalog, tmp_path: Path) -> None:
    svg = to_svg(build(example_catalog))
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter() if t.tag.endswith("text")}
    assert "HTTPS API" in texts and any(t and t.startswith("silo sales") for t in texts)
    out = tmp_path / "lake.svg"
    result = CliRunner().invoke(main, ["diagram", str(EXAMPLE), "--format", "svg", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().lstrip().startswith("<?xml") or "<svg" in out.read_text()
