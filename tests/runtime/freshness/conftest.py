"""moto CloudWatch (in process) and the freshness check's handler module."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from silolake.runtime import runtime_path

FUNCTION_DIR = runtime_path("lambda", "freshness")
REGION = "eu-central-1"


@pytest.fixture(autouse=True)
def _freshness_handler_module():
    """``import handler`` must mean this function's (every Lambda folder has one)."""
    while str(FUNCTION_DIR) in sys.path:
        sys.path.remove(str(FUNCTION_DIR))
    sys.path.insert(0, str(FUNCTION_DIR))
    loaded = sys.modules.get("handler")
    if loaded is not None and Path(getattr(loaded, "__file__", "")).resolve().parent != FUNCTION_DIR:
        del sys.modules["handler"]
    yield


@pytest.fixture
def cloudwatch():
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", REGION)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(var, "testing")
        with mock_aws():
            yield boto3.client("cloudwatch", region_name=REGION)
