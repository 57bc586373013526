"""The installed product, for tests: build the wheel, install it as a company would.

A venv outside the repository gets the runtime lock that ships inside the wheel
(``pip --require-hashes``), then the wheel itself without dependencies: exactly what a
repository made by ``silolake init`` and a silo's plan build install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_python(version: str) -> str | None:
    """A working ``pythonX.Y``: pyenv's installed versions first, then PATH (a pyenv shim on
    PATH answers for versions that are not selected, so each candidate is run once)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [str(p) for p in sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)]
    candidates += [found] if (found := shutil.which(f"python{version}")) else []
    for candidate in candidates:
        if subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None


def build_wheel(dist: Path) -> Path:
    """The wheel of this checkout, built with the locked backend of the running venv."""
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", dist, REPO]
    subprocess.run(cmd, check=True, cwd=dist)
    (found,) = dist.glob("silolake-*-py3-none-any.whl")
    return found


def install_wheel(wheel: Path, python: str, where: Path) -> Path:
    """A venv under ``where`` holding the wheel's own lock, then the wheel; returns the venv."""
    venv_dir = where / "venv"
    subprocess.run([python, "-m", "venv", venv_dir], check=True)
    lock = where / "synth.lock"
    with zipfile.ZipFile(wheel) as zf:
        lock.write_bytes(zf.read("silolake/requirements/synth.lock"))
    pip = [venv_dir / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    # Without the checkout on PYTHONPATH: pip would see its silolake.egg-info (written by
    # build_wheel) as silolake already installed and skip the wheel, console script and all.
    env = clean_env(venv_dir)
    subprocess.run([*pip, "--require-hashes", "-r", lock], check=True, cwd=where, env=env)
    subprocess.run([*pip, wheel], check=True, cwd=where, env=env)
    return venv_dir


def clean_env(venv_dir: Path) -> dict[str, str]:
    """A user's environment outside the repository: the venv first on PATH, no checkout paths."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env = {k: v for k, v in env.items() if not k.startswith(("SILOLAKE_", "PYTEST_"))}
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["CHECKPOINT_DISABLE"] = "1"
    return env
