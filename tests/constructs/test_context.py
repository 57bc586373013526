"""The per-silo context (``silolake/constructs/context.py``): its bound builders agree with the
naming module and the ARN builders, in the silo's partition, and capability constructs take it
instead of the silo's parts."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from silolake.aws import names
from silolake.catalog import load_catalog
from silolake.constructs.context import SiloAddress
from tests.conftest import EXAMPLE

REPO = Path(__file__).resolve().parents[2]
CONSTRUCTS = REPO / "silolake" / "constructs"
#: Constructs of the organization account create silos' accounts: they take the silo model, not a
#: context (the account they build does not exist yet).
SILO_MODEL_TAKERS = ("org",)


def _sales(region: str | None = None):
    silo = next(s for s in load_catalog(EXAMPLE).deployable_silos if s.name == "sales")
    return dataclasses.replace(silo, region=region) if region else silo


def test_the_address_builds_what_the_naming_module_builds() -> None:
    silo = _sales()
    address = SiloAddress.of("acme", silo)
    assert (address.partition, address.account_id, address.region) == ("aws", silo.account_id, silo.region)
    assert address.bucket_name("raw") == names.silo_bucket("acme", "sales", "raw", silo.account_id, silo.region)
    assert address.arn("states", "stateMachine", names.etl_name("sales", "orders")) == names.state_machine_arn(
        silo.region, silo.account_id, "sales", "orders"
    )
    assert address.role_arn("r") == f"arn:aws:iam::{silo.account_id}:role/r"
    assert address.topic_arn == f"arn:aws:sns:{silo.region}:{silo.account_id}:silolake-sales-etl-alerts"


def test_the_address_is_in_the_partition_of_the_region() -> None:
    address = SiloAddress.of("acme", _sales("us-gov-west-1"))
    assert address.partition == "aws-us-gov"
    assert address.function_arn("f").startswith("arn:aws-us-gov:lambda:us-gov-west-1:")
    assert address.s3_arn("b", "*") == "arn:aws-us-gov:s3:::b/*"
    assert address.policy_arn("p", "/silolake/").startswith("arn:aws-us-gov:iam::")


def _takes_the_silo(source: str, name: str) -> list[str]:
    """``name:line`` of each ``__init__`` in ``source`` taking a ``silo`` argument (with the
    organization, key and buckets beside it: the list the context replaced)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            params = {a.arg for a in [*node.args.args, *node.args.kwonlyargs]}
            if "silo" in params:
                found.append(f"{name}:{node.lineno}")
    return found


def test_silo_constructs_take_the_context() -> None:
    found = []
    for path in sorted(CONSTRUCTS.rglob("*.py")):
        if path.relative_to(CONSTRUCTS).parts[0] not in SILO_MODEL_TAKERS:
            found += _takes_the_silo(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == [], "take ctx: SiloContext (silolake/constructs/context.py) instead of the silo's parts"


def test_the_context_check_sees_a_silo_argument() -> None:
    source = "class X:\n    def __init__(self, scope, id, *, org, silo, key):\n        pass\n"
    assert _takes_the_silo(source, "probe.py") == ["probe.py:2"]
    assert _takes_the_silo(source.replace("org, silo, key", "ctx"), "probe.py") == []
