"""A tiny stack for one building block: an ``App`` with the framework's context
(:func:`silolake.synth.one.make_app`), one ``TerraformStack`` with its AWS provider, and the
stack's ``cdk.tf.json`` parsed after ``app.synth()``, as Terraform reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@dataclass
class BlockStack:
    """``scope``: where the block under test is built; ``synth()``: the stack's JSON."""

    scope: Any
    synth: Callable[[], dict]


@pytest.fixture
def block_stack(tmp_path: Path) -> BlockStack:
    from silolake.engine.cdk import TerraformStack, aws
    from silolake.synth.one import make_app

    app = make_app(str(tmp_path))
    stack = TerraformStack(app, "block")
    aws.provider.AwsProvider(stack, "aws", region=REGION)

    def synth() -> dict:
        app.synth()
        return json.loads((tmp_path / "stacks" / "block" / "cdk.tf.json").read_text())

    return BlockStack(stack, synth)


def only(doc: dict, rtype: str) -> dict:
    """The one resource of ``rtype`` in a synthesized stack (fails on none or several)."""
    found = list(doc.get("resource", {}).get(rtype, {}).values())
    assert len(found) == 1, f"{len(found)} {rtype} resources"
    return found[0]
