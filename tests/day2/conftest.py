"""Edit pairs: ``catalogs/base.yaml`` and its edits, each synthesized once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from silolake.catalog import load_catalog
from tests.conftest import Synth, synthesize_catalog

CATALOGS = Path(__file__).parent / "catalogs"


class Pairs:
    """Lazily synthesized catalogs of ``catalogs/`` (synth costs seconds: once per name)."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self.tmp = tmp
        self.done: dict[str, Synth] = {}

    def __getitem__(self, name: str) -> Synth:
        if name not in self.done:
            out = self.tmp.mktemp(name) / "cdktf.out"
            self.done[name] = synthesize_catalog(load_catalog(CATALOGS / f"{name}.yaml"), out)
        return self.done[name]


@pytest.fixture(scope="session")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Pairs:
    return Pairs(tmp_path_factory)
