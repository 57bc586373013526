"""The wheel is the product: built, installed from the lock into a clean venv outside the
repository, it makes a company repository with ``silolake init`` and synthesizes the example
catalog there into exactly the golden snapshot (the in-repository synth of the same catalog).

Runs on every Python 3.11 to 3.13 present on the machine (pyenv's or on PATH): the framework
supports them all (only the Glue job is bound to Glue 5.0's Python 3.11). Python 3.11 runs the
whole example; the others synthesize one silo stack and compare it, to keep the suite's time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.golden import golden, read_stacks
from tests.wheel_env import clean_env, find_python, install_wheel

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

VERSIONS = ("3.11", "3.12", "3.13")
#: One stack with every channel, the ETL and the silo pipeline (the example's silo ``sales``).
ONE_STACK = "silo-sales"


def _company_repository(venv_dir: Path, where: Path) -> Path:
    """``silolake init`` in an empty directory, then the example catalog as the company's own."""
    repo = where / "company"
    env = clean_env(venv_dir)
    subprocess.run([venv_dir / "bin" / "silolake", "init", repo, *INIT_ARGS], check=True, cwd=where, env=env)
    for name in ("silos.yaml", "accounts.lock.json"):
        shutil.copy(REPO / name, repo / name)
    shutil.copytree(REPO / "glue_src", repo / "glue_src", dirs_exist_ok=True)
    return repo


#: The starter answers `silolake init` asks for (the example organization's own ids).
INIT_ARGS = [
    "--name",
    "acme",
    "--management-account-id",
    "111111111111",
    "--datalake-account-id",
    "222222222222",
    "--owner",
    "data@example.com",
    "--region",
    "eu-west-1",
    "--silo",
    "sales",
    "--account-id",
    "444444444444",
]


def _run(venv_dir: Path, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [venv_dir / "bin" / "silolake", *args], cwd=repo, env=clean_env(venv_dir), capture_output=True, text=True
    )
    assert result.returncode == 0, f"silolake {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


@pytest.mark.parametrize("version", VERSIONS)
def test_installed_wheel_synthesizes_the_golden_snapshot(
    version: str, silolake_wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"Python {version} is not on this machine")
    where = Path(tmp_path_factory.mktemp(f"wheel-py{version}"))
    assert REPO not in where.parents
    venv_dir = install_wheel(silolake_wheel, python, where)
    site = subprocess.run(
        [venv_dir / "bin" / "python", "-c", "import silolake; print(silolake.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=where,
        env=clean_env(venv_dir),
    ).stdout
    assert str(venv_dir) in site, f"silolake imported from outside the venv: {site}"
    repo = _company_repository(venv_dir, where)
    # init, run from a silolake installed from a wheel file, pins that wheel by its hash.
    digest = hashlib.sha256(silolake_wheel.read_bytes()).hexdigest()
    assert f"--hash=sha256:{digest}" in (repo / "requirements.txt").read_text()
    _run(venv_dir, repo, "validate", "silos.yaml")
    expected = golden()
    if version == "3.11":
        _run(venv_dir, repo, "synth", "silos.yaml", "--out", "cdktf.out")
        stacks = read_stacks(repo / "cdktf.out")
        assert sorted(stacks) == sorted(expected)
    else:
        _run(venv_dir, repo, "synth", "silos.yaml", "--out", "cdktf.out", "--stack", ONE_STACK)
        stacks = read_stacks(repo / "cdktf.out")
        assert list(stacks) == [ONE_STACK]
    for name, text in stacks.items():
        assert text == expected[name], f"{name}: the installed wheel synthesizes other Terraform than the checkout"
