"""The project's lock files: one per environment it installs, every package pinned with hashes.

    python3 scripts/dev.py lock          # refresh every lock from its inputs (needs PyPI)
    python3 scripts/dev.py lock --check  # offline: fail when an input changed but its lock did not

Why uv (``uv pip compile``) rather than pip-tools: it resolves one *universal* lock (markers for
Python 3.11 to 3.13 in one file) in about a second, writes requirements files plain pip installs
with ``--require-hashes``, and is itself a single pinned wheel (``requirements/tools.lock``). The
installs stay plain pip, so a fresh machine needs nothing but Python to consume a lock.

Each lock starts with a line ``# inputs-sha256: <hex>``: the digest of exactly the requirement
strings it was compiled from. :func:`check` recomputes it offline; a pyproject edit without a
refreshed lock fails the test command instead of installing something nobody resolved.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"
DIGEST_PREFIX = "# inputs-sha256: "
REFRESH = "python3 scripts/dev.py lock"


@dataclass(frozen=True)
class Lock:
    """One lock file: ``path`` compiled from pyproject (``extras``) or from ``requirements_in``."""

    path: Path
    extras: tuple[str, ...] = ()
    requirements_in: Path | None = None
    #: Locks whose versions this one must agree with (compiled as constraints).
    constraints: tuple[Path, ...] = ()

    def inputs(self) -> list[str]:
        """The requirement strings the lock is compiled from, in a stable order."""
        if self.requirements_in is not None:
            lines = self.requirements_in.read_text().splitlines()
            return sorted(x.split("#")[0].strip() for x in lines if x.split("#")[0].strip())
        project = tomllib.loads(PYPROJECT.read_text())["project"]
        reqs = list(project["dependencies"])
        for extra in self.extras:
            reqs += project["optional-dependencies"][extra]
        reqs.append(f"requires-python {project['requires-python']}")
        return sorted(set(reqs))

    def digest(self) -> str:
        return hashlib.sha256("\n".join(self.inputs()).encode()).hexdigest()


#: The framework's runtime lock ships inside the wheel: `silolake init` copies it into a company
#: repository, and a silo's plan build installs it (read out of the wheel) before the wheel.
SYNTH = Lock(REPO / "silolake" / "requirements" / "synth.lock")
LOCKS = (
    SYNTH,
    Lock(REPO / "requirements" / "dev.lock", extras=("dev", "portal"), constraints=(SYNTH.path,)),
    Lock(REPO / "requirements" / "cdktf.lock", extras=("cdktf",), constraints=(SYNTH.path,)),
    Lock(REPO / "requirements" / "checkov.lock", requirements_in=REPO / "security" / "requirements-checkov.txt"),
    # setuptools + wheel: the project is installed with --no-build-isolation, so its build
    # backend comes from a lock too, not from whatever the index serves that day.
    Lock(REPO / "requirements" / "build.lock", requirements_in=REPO / "requirements" / "build.in"),
    Lock(REPO / "requirements" / "tools.lock", requirements_in=REPO / "requirements" / "tools.in"),
)

_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def pins(text: str) -> dict[str, str]:
    """``{normalized name: version}`` of every ``name==version`` line in a lock or input list."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def check() -> list[str]:
    """Problems that make a lock disagree with its inputs (empty when all agree). Offline."""
    problems: list[str] = []
    for lock in LOCKS:
        rel = lock.path.relative_to(REPO)
        if not lock.path.exists():
            problems.append(f"{rel}: missing; run `{REFRESH}`")
            continue
        text = lock.path.read_text()
        first = next((x for x in text.splitlines() if x.startswith(DIGEST_PREFIX)), "")
        if first.removeprefix(DIGEST_PREFIX) != lock.digest():
            problems.append(f"{rel}: its inputs changed since it was compiled; run `{REFRESH}`")
        locked = pins(text)
        for name, version in pins("\n".join(lock.inputs())).items():
            if locked.get(name) != version:
                problems.append(f"{rel}: {name} is pinned {version} but locked {locked.get(name)}")
        if "--hash=sha256:" not in text:
            problems.append(f"{rel}: holds no hashes")
    return problems


def refresh(uv: Path) -> None:
    """Recompile every lock with ``uv`` (in order: constraints before the locks they constrain)."""
    for lock in LOCKS:
        lock.path.parent.mkdir(parents=True, exist_ok=True)
        source = lock.requirements_in or PYPROJECT
        cmd = [str(uv), "pip", "compile", str(source.relative_to(REPO)), "--universal", "--generate-hashes"]
        cmd += ["--quiet", "--no-header", "--python-version", "3.11"]
        for extra in lock.extras:
            cmd += ["--extra", extra]
        for constraint in lock.constraints:
            cmd += ["--constraint", str(constraint.relative_to(REPO))]
        body = subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True).stdout
        header = (
            f"{DIGEST_PREFIX}{lock.digest()}\n"
            f"# Generated by `{REFRESH}` (uv pip compile --universal --generate-hashes); do not edit.\n"
        )
        lock.path.write_text(header + body)
        print(f"lock: wrote {lock.path.relative_to(REPO)} ({len(pins(body))} packages)")


if __name__ == "__main__":
    issues = check()
    print("\n".join(issues) or "locks agree with their inputs")
    sys.exit(1 if issues else 0)
