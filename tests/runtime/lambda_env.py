"""What every test of a Lambda function under ``silolake/runtime/lambda`` needs: its own
``handler`` module on top of ``sys.path``, and moto with an AWS environment of its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto import mock_aws


def handler_first(function_dir: Path) -> None:
    """Every Lambda folder has a top-level ``handler.py``, as Lambda wants it; in one test session
    ``import handler`` must mean this function's: its folder first on ``sys.path`` and no other
    function's ``handler`` left in ``sys.modules``."""
    if sys.path[0] != str(function_dir):
        while str(function_dir) in sys.path:
            sys.path.remove(str(function_dir))
        sys.path.insert(0, str(function_dir))
    loaded = sys.modules.get("handler")
    if loaded is not None and Path(getattr(loaded, "__file__", "")).resolve().parent != function_dir:
        del sys.modules["handler"]


@contextmanager
def moto_in(region: str) -> Iterator[None]:
    """moto in process, with test credentials and ``region`` as the default region."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", region)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(var, "testing")
        with mock_aws():
            yield
