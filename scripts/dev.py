#!/usr/bin/env python3
"""Set up the development environment and run the project's two main jobs.

    python3 scripts/dev.py synth   # set up, then synthesize the example catalog
    python3 scripts/dev.py test    # set up, then the static gate (ruff, mypy) and every test incl. checkov
    python3 scripts/dev.py setup [--runtime-only]   # only set up (--runtime-only: the synth venv)
    python3 scripts/dev.py lock    # refresh every lock (requirements/, silolake/requirements/) with uv
    python3 scripts/dev.py lock --check   # offline: does every lock agree with pyproject.toml?

Needs only Python 3.11 and Node.js 20 (jsii runs the CDKTF core in Node). Setup is
idempotent and skipped when nothing it depends on changed (stamp files hold hashes of
the inputs), so repeated runs start immediately. Each step that has work to do prints
itself with an estimate first. Every Python install comes from a lock with hashes
(``pip --require-hashes``; scripts/locks.py). ``synth`` installs only the framework's runtime lock;
the test tools (the dev lock, checkov in its own venv, the npm packages) come with ``test``/``setup``.

Exit codes: those of the command run (silolake: 2 catalog or usage error, 1 AWS refusal
or internal error); 2 for a wrong invocation or a missing Python 3.11/Node.js.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
CHECKOV_VENV = REPO / ".venv-checkov"
CDKTF_VENV = REPO / ".venv-cdktf"  # the archived cdktf engine, tested beside the default (tests only)
# Every install comes from a lock with hashes (scripts/locks.py says how they are made).
SYNTH_LOCK = REPO / "silolake" / "requirements" / "synth.lock"
DEV_LOCK = REPO / "requirements" / "dev.lock"
CDKTF_LOCK = REPO / "requirements" / "cdktf.lock"
CHECKOV_LOCK = REPO / "requirements" / "checkov.lock"
BUILD_LOCK = REPO / "requirements" / "build.lock"
TOOLS_LOCK = REPO / "requirements" / "tools.lock"
TOOLS_VENV = REPO / ".venv-tools"
IAM_SIM = REPO / "silolake" / "ops" / "iam"  # offline IAM engine (npm), used by access-diff and tests
ASL_VALIDATOR = REPO / "tests" / "etl" / "asl"  # asl-validator (npm), pinned in its package.json


def _run(*cmd: str | Path, cwd: Path = REPO) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True)


def _digest(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def _step(what: str, estimate: str) -> None:
    print(f"setup: {what} (first run: {estimate}; skipped afterwards while its inputs are unchanged)", flush=True)


def _ensure_venv(
    path: Path, locks: list[Path], what: str, estimate: str, *, project: bool = True, satisfied_by: Path | None = None
) -> Path:
    """A venv holding exactly ``locks`` (pip ``--require-hashes``, no resolution) and, with
    ``project``, this checkout installed editable without dependencies or build isolation (its
    build backend comes from ``requirements/build.lock``). Skipped while the stamp of the same
    inputs exists; ``satisfied_by`` names a superset lock whose stamp also counts (dev over synth).
    """
    python = path / "bin" / "python"
    inputs = [*locks, REPO / "pyproject.toml"]
    stamp = path / f".silolake-stamp-{locks[-1].stem}"
    if python.exists() and stamp.exists() and stamp.read_text() == _digest(*inputs):
        return python
    if satisfied_by is not None:
        wider = path / f".silolake-stamp-{satisfied_by.stem}"
        if python.exists() and wider.exists() and wider.read_text() == _digest(*locks[:-1], satisfied_by, inputs[-1]):
            return python
    _step(what, estimate)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    _run(*pip, "--require-hashes", *(arg for lock in locks for arg in ("-r", lock)))
    if project:
        _run(*pip, "--no-build-isolation", "--no-index", "-e", REPO)
    stamp.write_text(_digest(*inputs))
    return python


#: Debian packages the browser test needs (headless Chromium and its matching WebDriver).
BROWSER_PACKAGES = ("chromium", "chromium-driver")


def _ensure_browser() -> None:
    """Install Chromium with apt-get when missing (CI runs as root). Without root or apt the
    browser test is skipped with a message naming this step, and nothing else depends on it."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    apt = shutil.which("apt-get")
    if not apt or os.geteuid() != 0:
        print(f"setup: chromium missing and cannot apt-get as this user; install {' '.join(BROWSER_PACKAGES)}")
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([apt, "update", "-qq"], check=True, env=env)
    cmd = [apt, "install", "-y", "-qq", "--no-install-recommends", *BROWSER_PACKAGES]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)


def _check_java() -> None:
    """Local PySpark (the conform job's tests) needs a Java runtime, 17 like Glue 5.0."""
    java = shutil.which("java")
    apt = shutil.which("apt-get")
    if not java and apt and os.geteuid() == 0:  # CI and fresh machines run as root
        _step("Java runtime for local PySpark (apt-get install default-jre-headless, tests only)", "1 to 3 minutes")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run([apt, "update", "-qq"], check=True, env=env)
        subprocess.run(
            [apt, "install", "-y", "-qq", "--no-install-recommends", "default-jre-headless"], check=True, env=env
        )
        java = shutil.which("java")
    if not java:
        sys.exit(
            "Java 17 is required (the Glue conform job's tests run on local PySpark 3.5): "
            "install it, e.g. `apt-get install -y openjdk-17-jre-headless`, or put `java` on PATH."
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0_x" is Java 8
        major = int(match.group(2))
    if major < 17:
        sys.exit(f"Java 17 or newer is required for local PySpark 3.5 (Glue 5.0 runs Java 17); found: {out.strip()}")


def setup(test_tools: bool = True) -> Path:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"silolake needs Python 3.11 (Glue 5.0's Python); this is {sys.version.split()[0]}")
    if not shutil.which("node"):
        sys.exit("Node.js 20 is required (CDKTF runs its core through jsii in Node).")
    if test_tools:  # synthesizing needs no Java; setup and test do
        _check_java()
    # synth needs only the framework's runtime lock; test adds the tools (a superset lock).
    lock = DEV_LOCK if test_tools else SYNTH_LOCK
    python = _ensure_venv(
        VENV,
        [BUILD_LOCK, lock],
        "project venv .venv from " + str(lock.relative_to(REPO)) + (" (with the test tools)" if test_tools else ""),
        "3 to 10 minutes, mostly the provider bindings" if test_tools else "1 to 3 minutes",
        satisfied_by=None if test_tools else DEV_LOCK,
    )
    if not test_tools:
        return python
    # checkov pins an old boto3 that conflicts with moto/boto3 here: it gets its own venv.
    _ensure_venv(
        CHECKOV_VENV, [CHECKOV_LOCK], "checkov venv .venv-checkov (tests only)", "1 to 3 minutes", project=False
    )
    for package in (IAM_SIM, ASL_VALIDATOR):
        lock = package / "package-lock.json"
        stamp = package / "node_modules" / ".silolake-stamp"
        if not stamp.exists() or stamp.read_text() != _digest(lock):
            _step(f"npm ci in {package.relative_to(REPO)} (tests only)", "under a minute")
            _run("npm", "ci", "--no-audit", "--no-fund", "--silent", cwd=package)
            stamp.write_text(_digest(lock))
    _ensure_browser()
    _ensure_tools()
    return python


#: Debian packages of command-line tools some tests run, by the command: Graphviz `dot`
#: (`silolake diagram --format svg`) and `unzip` (the silo pipeline's buildspec lines run in
#: a test as CodeBuild runs them).
DEBIAN_TOOLS = {"dot": "graphviz", "unzip": "unzip"}


def _ensure_tools() -> None:
    """Install the missing :data:`DEBIAN_TOOLS` when this runs as root with apt-get (CI does);
    otherwise the tests needing them say what is missing."""
    missing = [pkg for cmd, pkg in DEBIAN_TOOLS.items() if not shutil.which(cmd)]
    if not missing or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=False, env=env)


#: Runtime code is type-checked in its own pass: it is deployed alone (a Lambda zip, a
#: Glue script) and must not lean on the framework's modules or stubs.
#: ``mypy silolake`` skips the Lambda and Glue folders (pyproject ``exclude``); these passes check
#: them, naming their files one by one (a folder named on the command line is subject to ``exclude``).
LAMBDA_DIR = "silolake/runtime/lambda"
RUNTIME_DIRS = (LAMBDA_DIR, "silolake/runtime/glue", "glue_src")


def gate(python: Path, env: dict[str, str]) -> int:
    """The static gate: formatting, lint and types. Returns the first failing exit code."""
    bindir = python.parent
    runtime = sorted(
        p.relative_to(REPO)
        for d in RUNTIME_DIRS
        if d != LAMBDA_DIR
        for p in (REPO / d).rglob("*.py")
        if "__pycache__" not in p.parts
    )
    steps: list[tuple[list[str | Path], dict[str, str]]] = [
        ([bindir / "ruff", "format", "--check", "--quiet", "."], env),
        ([bindir / "ruff", "check", "--quiet", "."], env),
        ([bindir / "mypy", "--no-error-summary", "silolake"], env),
    ]
    if runtime:
        steps.append(([bindir / "mypy", "--no-error-summary", "--explicit-package-bases", *runtime], env))
    # One pass per Lambda folder, rooted at the folder as Lambda roots it (handler.py imports
    # its modules as top-level names; two folders' handler.py must not meet in one pass).
    for folder in sorted(p for p in (REPO / LAMBDA_DIR).iterdir() if p.is_dir() and any(p.rglob("*.py"))):
        files = sorted(p.relative_to(REPO) for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
        steps.append(
            (
                [bindir / "mypy", "--no-error-summary", "--explicit-package-bases", *files],
                dict(env, MYPYPATH=str(folder)),
            )
        )
    for cmd, step_env in steps:
        shown = [str(c) for c in cmd[1:] if c not in ("--quiet", "--no-error-summary")]
        print("+", Path(cmd[0]).name, *shown, flush=True)
        code = subprocess.run([str(c) for c in cmd], cwd=REPO, env=step_env).returncode
        if code:
            print(f"gate: {' '.join(str(c) for c in cmd[:2])} failed; fix it (ruff format . / ruff check --fix .)")
            return code
    return 0


def lock(check_only: bool) -> int:
    """Refresh every lock with the pinned uv (needs PyPI), or with ``check_only`` verify offline
    that each lock agrees with its inputs."""
    sys.path.insert(0, str(REPO / "scripts"))
    import locks  # scripts/locks.py; imported here so the other commands never need it

    if not check_only:
        uv_python = _ensure_venv(TOOLS_VENV, [TOOLS_LOCK], "lock tool venv .venv-tools (uv)", "seconds", project=False)
        locks.refresh(uv_python.parent / "uv")
    problems = locks.check()
    print("\n".join(problems) or "lock: every lock agrees with its inputs")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "synth", "test", "lock"}:
        print(__doc__)
        return 2
    if argv[0] == "lock":
        return lock(check_only="--check" in argv[1:])
    # `setup --runtime-only`: the synth venv alone (workflows that only synthesize or summarize).
    python = setup(test_tools=argv[0] not in {"synth"} and "--runtime-only" not in argv[1:])
    if argv[0] == "setup":
        return 0
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if argv[0] == "synth":
        return subprocess.run([str(python), "-m", "silolake", "synth", *argv[1:]], cwd=REPO, env=env).returncode
    if argv[0] == "test":
        code = gate(python, env)
        if code:
            return code
        _ensure_venv(
            CDKTF_VENV,
            [BUILD_LOCK, CDKTF_LOCK],
            "cdktf engine venv .venv-cdktf (tests compare it with the default engine)",
            "3 to 10 minutes",
        )
        # Serial by default: on two cores pytest-xdist (`test -n 2 --dist loadfile`) was not
        # shown faster and green here yet (benchmarks/RESULTS.md, "The test command on two cores").
        code = subprocess.run([str(python), "-m", "pytest", *argv[1:]], cwd=REPO, env=env).returncode
        return 1 if code == 5 else code  # "no tests collected" must not pass as green
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
