"""Every install comes from a lock that agrees with pyproject.toml (offline; scripts/locks.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import locks  # noqa: E402


def test_every_lock_agrees_with_its_inputs() -> None:
    assert locks.check() == [], "refresh with `python3 scripts/dev.py lock`"


def test_check_notices_a_changed_pin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    edited = tmp_path / "pyproject.toml"
    edited.write_text(locks.PYPROJECT.read_text().replace('"jsonschema==4.26.0"', '"jsonschema==4.25.0"'))
    monkeypatch.setattr(locks, "PYPROJECT", edited)
    problems = locks.check()
    assert any("synth.lock: its inputs changed" in p for p in problems)
    assert any("jsonschema is pinned 4.25.0 but locked 4.26.0" in p for p in problems)


def test_locks_agree_with_each_other() -> None:
    """A package two environments share has one version: dev and cdktf are compiled with the
    runtime lock as constraints, so the tests exercise exactly what a company installs."""
    runtime = locks.pins(locks.SYNTH.path.read_text())
    for lock in locks.LOCKS:
        if locks.SYNTH.path in lock.constraints:
            other = locks.pins(lock.path.read_text())
            assert {n: v for n, v in other.items() if n in runtime and v != runtime[n]} == {}, lock.path


def test_every_pin_carries_a_hash() -> None:
    for lock in locks.LOCKS:
        text = lock.path.read_text()
        entries = [e for e in text.replace("\\\n", " ").splitlines() if "==" in e and not e.startswith("#")]
        assert entries, lock.path
        assert all("--hash=sha256:" in e for e in entries), lock.path


def _install_lines() -> list[tuple[str, str]]:
    files = [REPO / "scripts" / "dev.py"]
    for folder in (".github", "delivery", "silolake"):
        files += [f for f in (REPO / folder).rglob("*") if f.suffix in {".yml", ".yaml", ".md"}]
    return [
        (str(f.relative_to(REPO)), line.strip())
        for f in files
        for line in f.read_text().splitlines()
        if "pip install" in line and not line.lstrip().startswith(("#", '"""', ">"))
    ]


def test_every_install_uses_a_lock() -> None:
    """No install in setup, pipelines, workflows or the files `silolake init` writes resolves
    packages by itself: each one installs a lock with hashes, or exactly one thing without deps."""
    unlocked = [
        (where, line)
        for where, line in _install_lines()
        if "--require-hashes" not in line and "--no-deps" not in line and "pip install '" not in line
    ]
    assert unlocked == []
