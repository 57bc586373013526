"""The per-silo context (``silolake/constructs/context.py``): its bound builders agree with the
naming module and the ARN builders, in the silo's partition, and capability constructs take it
instead of the silo's parts: a construct taking ``ctx`` takes nothing the context carries again
(organization, silo, account, region, key, a silo bucket)."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from silolake.aws import names
from silolake.catalog import load_catalog
from silolake.constructs.context import SiloAddress, SiloContext
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


#: The primitives each field of a context stands for, as a parameter would name them.
PRIMITIVES = {
    "org": ("org_name",),
    "silo": ("silo_name",),
    "account_id": ("account",),
    "key": ("key_arn", "kms_key_arn", "key_id"),
    "buckets": ("bucket", "bucket_name", "bucket_arn"),
}


def _carried(ctx_class: type) -> frozenset[str]:
    """Parameter names that repeat what a context of ``ctx_class`` carries: each field and
    property (``org``, ``silo``, ``partition``, ``account_id``, ``region``, ``topic_arn``; a
    :class:`SiloContext` also ``key``, ``buckets``, ``bucket_names``), the primitives the fields
    stand for (:data:`PRIMITIVES`), and each silo bucket by kind (``raw_bucket``,
    ``dropzone_bucket_name``, ``logs_bucket_arn``, ...: every kind :meth:`SiloAddress.bucket_name`
    names). Not the Organizations id (``org_id``): no context carries it."""
    own = {f.name for f in dataclasses.fields(ctx_class)}
    own |= {n for base in ctx_class.__mro__ for n, v in vars(base).items() if isinstance(v, property)}
    aliases = {alias for name in own for alias in PRIMITIVES.get(name, ())}
    buckets = {f"{kind}_bucket{suffix}" for kind in names.SILO_BUCKET_KINDS for suffix in ("", "_name", "_arn")}
    return frozenset(own | aliases | buckets)


#: What a construct taking ``ctx`` must not take beside it, by the context type it annotates.
CARRIED = {cls.__name__: _carried(cls) for cls in (SiloAddress, SiloContext)}


def _init_params(source: str, name: str) -> Iterator[tuple[str, dict[str, str]]]:
    """``(name:line, {parameter: annotation source})`` of each ``__init__`` in ``source``."""
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            args = [*node.args.args, *node.args.kwonlyargs]
            yield f"{name}:{node.lineno}", {a.arg: ast.unparse(a.annotation) if a.annotation else "" for a in args}


def _repeats_the_context(source: str, name: str) -> list[str]:
    """``name:line: parameter`` of each parameter an ``__init__`` taking ``ctx`` also takes though
    the context carries it (the organization, silo, account, region, key or a silo bucket again,
    as a primitive beside the context), and of each ``silo`` parameter of an ``__init__`` without
    a context (the silo's parts the context replaced)."""
    found = []
    for where, params in _init_params(source, name):
        if "ctx" in params:
            carried = CARRIED.get(params["ctx"], CARRIED["SiloContext"])
            found += [f"{where}: {p}" for p in params if p in carried]
        elif "silo" in params:
            found.append(f"{where}: silo")
    return found


def test_silo_constructs_take_the_context() -> None:
    found = []
    for path in sorted(CONSTRUCTS.rglob("*.py")):
        if path.relative_to(CONSTRUCTS).parts[0] not in SILO_MODEL_TAKERS:
            found += _repeats_the_context(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == [], "take ctx: SiloContext (silolake/constructs/context.py) instead of the silo's parts"


def test_every_context_parameter_names_a_context_type() -> None:
    """The check knows what each context carries by the annotation of ``ctx``: every construct
    annotates it with one of the two (19 constructs today), so none is checked against the wrong list."""
    annotations = {}
    for path in sorted(CONSTRUCTS.rglob("*.py")):
        for where, params in _init_params(path.read_text(encoding="utf-8"), path.name):
            if "ctx" in params:
                annotations[where] = params["ctx"]
    assert len(annotations) >= 19
    assert {where: a for where, a in annotations.items() if a not in CARRIED} == {}


@pytest.mark.parametrize(
    ("params", "flagged"),
    [
        ("org, silo, key", ["silo"]),  # the list the context replaced
        ("ctx", []),
        ("ctx: SiloContext, flow", []),
        ("ctx: SiloContext, region", ["region"]),
        ("ctx: SiloContext, account_id, org_name", ["account_id", "org_name"]),
        ("ctx: SiloContext, key_arn, raw_bucket", ["key_arn", "raw_bucket"]),
        ("ctx: SiloContext, dropzone_bucket", ["dropzone_bucket"]),
        ("ctx: SiloContext, buckets, topic_arn", ["buckets", "topic_arn"]),
        ("ctx: SiloContext, silo", ["silo"]),
        ("ctx: SiloContext, state_bucket", []),  # the Terraform state bucket: no silo bucket
        ("ctx: SiloContext, org_id", []),  # the Organizations id: no context carries it
        ("ctx: SiloAddress, partition", ["partition"]),
        ("ctx: SiloAddress, key_arn", []),  # an address carries no key yet: storage makes it
    ],
)
def test_the_context_check_sees_a_repeated_argument(params: str, flagged: list[str]) -> None:
    source = f"class X:\n    def __init__(self, scope, id, *, {params}):\n        pass\n"
    assert _repeats_the_context(source, "probe.py") == [f"probe.py:2: {p}" for p in flagged]
