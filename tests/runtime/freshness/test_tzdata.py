"""The freshness check resolves IANA zones from the tz database bundled in its own zip.

Lambda's Python images do not promise ``/usr/share/zoneinfo`` (the Amazon Linux 2023 based
``provided.al2023`` image shipped without tzdb: aws/aws-lambda-dotnet#1620, and the python3.12
image lacks other OS data files: aws/aws-lambda-base-images#229), so the function's zip carries
the ``tzdata`` wheel its ``requirements.lock`` pins. The check runs here in a fresh interpreter
from the built zip, with ``PYTHONTZPATH`` pointed at an empty folder: no system zone exists.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from silolake.constructs.blocks.lambda_function import zip_bytes

from .conftest import FUNCTION_DIR

#: Runs one check of logistics/shipments (by 06:00 Europe/Rome) in moto and prints the verdict.
PROGRAM = """
import json, os, sys, zoneinfo
import boto3
from moto import mock_aws
assert not any(os.path.exists(os.path.join(p, "Europe", "Rome")) for p in zoneinfo.TZPATH), zoneinfo.TZPATH
import handler
event = json.loads(sys.argv[1])
with mock_aws():
    print(json.dumps(handler.check(boto3.client("cloudwatch", region_name="eu-central-1"), event)))
"""


def check_input() -> dict:
    import datetime as dt

    from .test_timeline import ROME, scheduled_input, scheduler_fires

    return scheduled_input(None, scheduler_fires(dt.datetime(2026, 10, 25, 6, 0, tzinfo=ROME)))


def run_from(code_dir: Path, empty: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONTZPATH": str(empty), "PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(check_input())],
        cwd=code_dir,
        env={**env, "PYTHONPATH": str(code_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_packaged_check_resolves_zones_without_a_system_database(tmp_path: Path) -> None:
    package = tmp_path / "package"
    zipfile.ZipFile(io.BytesIO(zip_bytes(FUNCTION_DIR))).extractall(package)
    assert (package / "tzdata" / "zoneinfo" / "Europe" / "Rome").is_file()
    assert not (package / "requirements.lock").exists() and not (package / "wheels").exists()
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    done = run_from(package, empty)
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout.strip().splitlines()[-1])
    # 2026-10-25: Rome leaves summer time, the day from 06:00 to 06:00 has 25 hours.
    assert (verdict["window_start"], verdict["window_end"]) == (
        "2026-10-24T04:00:00+00:00",
        "2026-10-25T05:00:00+00:00",
    )


def test_without_the_bundle_the_same_check_fails(tmp_path: Path) -> None:
    """The proof above is not vacuous: the bare source folder, with no system zones, cannot resolve Rome."""
    if importlib.util.find_spec("tzdata") is not None:
        pytest.skip("the test environment installs tzdata itself")
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    done = run_from(FUNCTION_DIR, empty)
    assert done.returncode != 0 and "No time zone found with key Europe/Rome" in done.stderr
