"""Run the pinned ``asl-validator`` (npm, tests/etl/asl/) over state machine definitions."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent / "asl"
BIN = PACKAGE / "node_modules" / ".bin" / "asl-validator"


def validate(definition: dict) -> tuple[bool, str]:
    """(valid, validator output) for one definition; a missing install is an error, not a pass."""
    if not BIN.exists():
        raise FileNotFoundError(f"{BIN} is missing: set up with `python3 scripts/dev.py setup`")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(definition, handle)
    try:
        proc = subprocess.run([str(BIN), "--json-path", handle.name], capture_output=True, text=True, timeout=120)
    finally:
        Path(handle.name).unlink()
    return proc.returncode == 0, proc.stdout + proc.stderr
