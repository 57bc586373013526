"""moto CloudWatch (in process) and the freshness check's handler module."""

from __future__ import annotations

import boto3
import pytest

from silolake.runtime import runtime_path
from tests.runtime.lambda_env import handler_first, moto_in

FUNCTION_DIR = runtime_path("lambda", "freshness")
REGION = "eu-central-1"


@pytest.fixture(autouse=True)
def _freshness_handler_module():
    """``import handler`` must mean this function's (every Lambda folder has one)."""
    handler_first(FUNCTION_DIR)


@pytest.fixture
def cloudwatch():
    with moto_in(REGION):
        yield boto3.client("cloudwatch", region_name=REGION)
