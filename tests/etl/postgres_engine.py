"""Test harness only: a throwaway PostgreSQL cluster that runs the warehouse load transaction.

Redshift is PostgreSQL-derived: the load's DDL, the per-flow column procedure (PL/pgSQL,
``pg_catalog`` lookups, ``EXECUTE``), ``CALL``, the temp stage, DELETE and INSERT with a
column list run unchanged on PostgreSQL. The one Redshift-only statement, ``COPY ... FORMAT
AS PARQUET`` from S3, is replaced by an INSERT of the rows the partition's files hold.

The cluster listens on a Unix socket in its own directory only (no TCP), runs as
``nobody`` when the tests run as root (``initdb`` refuses root), and is removed afterwards.
The machine's PostgreSQL binaries are used (``initdb``, ``pg_ctl``, ``psql``); without them
the tests using :func:`postgres` are skipped, naming the missing binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Postgres:
    socket_dir: Path

    def run(self, statements: Sequence[str]) -> str:
        """Run ``statements`` as one transaction (like the Data API's BatchExecuteStatement);
        raises ``AssertionError`` with PostgreSQL's error when any fails (all rolled back)."""
        script = "".join(f"{s};\n" for s in statements)
        done = subprocess.run(
            ["psql", "-h", str(self.socket_dir), "-U", "postgres", "-X", "-q", "-tA", "-1", "-v", "ON_ERROR_STOP=1"],
            input=script,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def rows(self, query: str) -> list[tuple[str, ...]]:
        return [tuple(line.split("|")) for line in self.run([query]).splitlines() if line]


def _as_nobody(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    for binary in ("initdb", "pg_ctl", "psql"):
        if shutil.which(binary) is None:
            pytest.skip(f"PostgreSQL's {binary} is not installed")
    home = Path(tempfile.mkdtemp(prefix="silolake-pg-"))
    home.chmod(0o777)
    data = home / "data"
    subprocess.run(
        _as_nobody(["initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    options = f"-k {home} -c listen_addresses='' -c fsync=off"
    start = _as_nobody(["pg_ctl", "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"])
    subprocess.run(start, check=True, capture_output=True)
    try:
        yield Postgres(home)
    finally:
        subprocess.run(_as_nobody(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
