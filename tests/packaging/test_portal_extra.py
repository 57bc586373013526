"""``silolake portal`` is a development tool: moto and Powertools come with the ``portal``
extra, not with the framework. Without them it says which extra to install (exit 2)."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner

from silolake import cli
from silolake.dev import portal

from ..conftest import EXAMPLE, REPO


def test_without_the_portal_extra_the_command_names_it(monkeypatch) -> None:
    monkeypatch.setattr(portal, "missing_requirements", lambda: ["moto"])
    result = CliRunner().invoke(cli.main, ["portal", str(EXAMPLE), "--silo", "sales"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: silolake portal needs the portal extra: pip install 'silolake[portal]'"


def test_the_portal_extra_pins_what_the_dev_extra_pins() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["portal"] and set(extras["portal"]) <= set(extras["dev"])
    assert {r.split("[")[0].split("=")[0] for r in extras["portal"]} == {"moto", "aws-lambda-powertools"}
    assert portal.missing_requirements() == []  # the dev environment has them
