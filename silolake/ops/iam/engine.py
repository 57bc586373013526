"""Offline IAM evaluation: a Python wrapper around ``simulate.mjs`` (``@cloud-copilot/iam-simulate``).

Used by ``silolake access-diff`` and by the test suite's segregation proofs::

    from silolake.ops.iam import simulate
    [result] = simulate([{"name": "x", "principal": "...", "action": "s3:GetObject", ...}])
    assert result["decision"] == "Allowed"

The case format is documented in ``tests/iam/README.md``. The npm package is AGPL-3.0: it
runs as a separate Node.js program, installed on first use by ``npm ci`` next to this file
(``node_modules/`` is never committed nor packaged), and no silolake code links to it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from ...errors import SilolakeError

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "simulate.mjs"
NODE_MODULES_MARKER = HERE / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"

DECISIONS = ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")

_install_lock = threading.Lock()


class IamSimError(SilolakeError, RuntimeError):
    """The harness could not evaluate the cases (bad input, policy error, missing tooling)."""


def _which(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise IamSimError(
            f"`{tool}` not found on PATH: the IAM simulation harness needs Node.js (>= 18) and npm. "
            "Install Node.js, then run `npm ci --prefix tests/iam`."
        )
    return path


def ensure_installed() -> None:
    """Run ``npm ci`` next to this file if the npm dependencies are missing (fresh clone)."""
    with _install_lock:
        if NODE_MODULES_MARKER.is_file():
            return
        npm = _which("npm")
        _which("node")
        proc = subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not NODE_MODULES_MARKER.is_file():
            raise IamSimError(
                f"`npm ci --prefix {HERE}` failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )


def simulate(cases: list[dict[str, Any]], *, timeout: float = 300.0) -> list[dict[str, Any]]:
    """Evaluate ``cases`` in one node process; returns one result dict per case, in order.

    Raises :class:`IamSimError` on any error (malformed case, policy validation error,
    unknown action/context key, node missing). Errors are never reported as a deny.
    """
    if not isinstance(cases, list):
        raise TypeError("cases must be a list of dicts")
    if not cases:
        return []
    ensure_installed()
    node = _which("node")
    payload = json.dumps(cases)
    env = dict(os.environ)
    env.pop("NODE_OPTIONS", None)
    try:
        proc = subprocess.run(
            [node, str(SCRIPT)],
            input=payload,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=str(HERE),
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise IamSimError(f"simulate.mjs timed out after {timeout}s") from exc
    if proc.returncode != 0:
        raise IamSimError(f"simulate.mjs failed (exit {proc.returncode}): {proc.stderr.strip()}")
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise IamSimError(f"simulate.mjs printed invalid JSON: {proc.stdout[:500]!r}") from exc
    if not isinstance(results, list) or len(results) != len(cases):
        raise IamSimError(f"simulate.mjs returned {type(results).__name__} for {len(cases)} cases")
    for case, res in zip(cases, results, strict=True):
        if res.get("name") != case.get("name") or res.get("decision") not in DECISIONS:
            raise IamSimError(f"unexpected result for case {case.get('name')!r}: {res!r}")
    return results


def decisions(cases: list[dict[str, Any]]) -> dict[str, str]:
    """Convenience: ``{case name: decision}``."""
    return {r["name"]: r["decision"] for r in simulate(cases)}


def library_version() -> str:
    """Version of @cloud-copilot/iam-simulate the harness runs."""
    ensure_installed()
    proc = subprocess.run(
        [_which("node"), str(SCRIPT), "--version"], capture_output=True, text=True, check=True, cwd=str(HERE)
    )
    return proc.stdout.strip()
