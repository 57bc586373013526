"""One registry of the ingestion channels (``silolake.channels``), and everything that restates it.

Three kinds of places cannot import the registry and repeat what it says: the JSON Schema
(editors read the file as it is), the partner functions and the partner pages (runtime code
never imports the framework, and changing them would change the deployed bundles). These
tests fail as soon as one of them, or the static ``ChannelName`` type, moves away from the
registry; the last ones fail as soon as a framework module branches on a channel's name
instead of asking the registry for a trait.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import re
import sys
from types import ModuleType
from typing import get_args

import pytest

from silolake import channels, partner_runtime
from silolake.catalog import flow, model
from silolake.catalog.schema import inlined_schema, load_schema
from silolake.channels import registry
from silolake.review import diagram
from silolake.runtime import runtime_path
from tests.import_graph import PACKAGE, REPO

NAMES = [c.name for c in channels.CHANNELS]


def partner_module(module: str) -> ModuleType:
    """A module of the partner functions, imported as Lambda does (the function folder is the root)."""
    source = str(runtime_path("lambda", "partner"))
    if source not in sys.path:
        sys.path.insert(0, source)
    return importlib.import_module(f"partner_access.{module}")


def test_the_registry_is_what_the_framework_ships() -> None:
    assert NAMES == ["sftp", "upload", "api"]
    assert list(get_args(channels.ChannelName)) == NAMES, "ChannelName must list the registry's names, in order"
    assert flow.Source is channels.ChannelName
    assert {c.name: (c.label, c.carries, c.switch) for c in channels.CHANNELS} == {
        "sftp": ("SFTP", "files", "sftp"),
        "upload": ("web upload", "files", "web_upload"),
        "api": ("HTTPS API", "records", None),
    }
    assert channels.FILE_SOURCES == ("sftp", "upload") and channels.FIREHOSE_SOURCES == ("api",)
    assert len(set(NAMES)) == len(NAMES) and len({c.label for c in channels.CHANNELS}) == len(NAMES)


def test_lookups() -> None:
    assert channels.channel("upload") is channels.UPLOAD
    assert channels.find("api") is channels.API
    assert channels.find("ftp") is None and channels.find(None) is None and channels.find(["api"]) is None
    with pytest.raises(KeyError):
        channels.channel("ftp")  # type: ignore[arg-type]


def test_the_schema_enum_and_switches_follow_the_registry() -> None:
    """The schema file keeps its enum (editors complete ``source`` from it); it must be the
    registry's names, each switch an ``ingestion.<switch>.enabled`` boolean, each fixed format
    one the schema knows."""
    schema = load_schema()
    flow = schema["$defs"]["flow"]["properties"]
    assert flow["source"]["enum"] == channels.schema_enum() == sorted(NAMES)
    ingestion = inlined_schema()["$defs"]["silo"]["properties"]["ingestion"]["properties"]
    for c in channels.CHANNELS:
        for fmt in (c.catalog_format, c.raw_format):
            assert fmt is None or fmt in flow["format"]["enum"], f"{c.name}: unknown format {fmt}"
        if c.switch:
            assert ingestion[c.switch]["properties"]["enabled"]["type"] == "boolean", c.switch
    assert list(get_args(channels.Format)) == flow["format"]["enum"]


def test_every_switch_is_a_field_of_the_ingestion_model() -> None:
    """``Ingestion.switched_on`` reads ``<switch>_enabled``: each switched channel needs that field."""
    fields = {f.name for f in dataclasses.fields(model.Ingestion)}
    for c in channels.CHANNELS:
        if c.switch:
            assert f"{c.switch}_enabled" in fields, f"model.Ingestion lacks {c.switch}_enabled"
    ing = model.Ingestion(
        sftp_enabled=False, sftp_allowed_cidrs=(), web_upload_enabled=True, partner_credential_max_days=1
    )
    assert [c.name for c in channels.CHANNELS if ing.switched_on(c)] == ["upload"]
    assert ing.takes_files and not dataclasses.replace(ing, web_upload_enabled=False).takes_files


def test_the_partner_functions_restate_the_registry() -> None:
    """``partner_access`` validates credentials and its environment against its own lists."""
    pm, policies, idp = partner_module("model"), partner_module("policies"), partner_module("idp")
    assert list(pm.CHANNELS) == NAMES, "partner_access.model.CHANNELS: the registry's names, in order"
    assert {c.name for c in channels.CHANNELS if c.sign_in == "session"} == pm.SESSION_CHANNELS
    assert {c.name for c in channels.CHANNELS if c.sign_in == "transfer"} == idp.SFTP
    assert set(channels.FILE_SOURCES) == policies.FILE_CHANNELS
    assert set(channels.FIREHOSE_SOURCES) == policies.API_CHANNELS


def test_the_admin_page_offers_the_registry_channels() -> None:
    source = (runtime_path("pages") / "admin.js").read_text(encoding="utf-8")
    found = re.search(r"^const CHANNELS = (\[.*\]);$", source, re.M)
    assert found, "admin.js no longer declares const CHANNELS = [...]"
    assert json.loads(found.group(1)) == NAMES


@pytest.mark.parametrize(
    ("sftp", "upload", "flow_api", "expected"),
    [
        (True, True, True, "sftp,upload,api"),
        (False, True, True, "upload,api"),
        (True, False, False, "sftp"),
        (False, False, True, "api"),
    ],
)
def test_the_partner_functions_accept_the_channels_the_framework_gives_them(
    example_catalog, sftp: bool, upload: bool, flow_api: bool, expected: str
) -> None:
    """The catalog-derived environment (``CHANNELS`` in registry order, ``FLOWS`` with every
    flow's source) with what the construct adds beside it is one the partner function accepts."""
    sales = example_catalog.silo("sales")
    assert {f.source for f in sales.flows} == set(NAMES), "the example's sales silo uses every channel"
    ingestion = dataclasses.replace(sales.ingestion, sftp_enabled=sftp, web_upload_enabled=upload)
    silo = dataclasses.replace(sales, ingestion=ingestion)
    account, region = silo.account_id, silo.region
    arns = [f"arn:aws:execute-api:{region}:{account}:a1b2c3d4e5/v1/POST/flows/*"] if flow_api else []
    env = partner_runtime.function_environment(
        org="acme",
        silo=silo,
        dropzone_bucket="acme-sales-dropzone",
        key_arn=f"arn:aws:kms:{region}:{account}:key/00000000-0000-4000-8000-000000000000",
        flow_api_arns=arns,
    )
    assert env["CHANNELS"] == expected
    env.update(
        AWS_REGION=region,
        PERMISSIONS_BOUNDARY_ARN=f"arn:aws:iam::{account}:policy/silolake/acme-sales-partner-boundary",
        CFN_ROLE_ARN=f"arn:aws:iam::{account}:role/silolake-sales-partner-cfn",
        SESSION_ROLE_ARN=f"arn:aws:iam::{account}:role/silolake-sales-partner-session",
        LOCKOUT_TABLE="acme-sales-partner-lockout",
    )
    if sftp:
        env["TRANSFER_SERVER_ARN"] = f"arn:aws:transfer:{region}:{account}:server/s-0123456789abcdef0"
    cfg = partner_module("config").Config.from_env(env)
    assert sorted(cfg.channels) == sorted(expected.split(","))


def test_the_diagram_labels_channels_from_the_registry(example_catalog, monkeypatch) -> None:
    relabelled = dataclasses.replace(channels.SFTP, label="secure FTP")
    monkeypatch.setitem(registry._BY_NAME, "sftp", relabelled)
    labels = {label for label, shape in diagram.build(example_catalog).nodes.values() if shape == "channel"}
    assert labels == {"secure FTP", "web upload", "HTTPS API"}


# -- no framework module branches on a channel's name -------------------------------------

#: Where a channel's name may appear as a literal: the registry itself, and the runtime.
_ALLOWED = (PACKAGE / "channels", PACKAGE / "runtime")


def _names_in(node: ast.expr) -> list[str]:
    """Channel names ``node`` spells out: a string, or a tuple/list/set of strings."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [i.value for i in items if isinstance(i, ast.Constant) and i.value in NAMES]


def channel_branches(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, source text)`` of every comparison of a flow's ``source`` with a channel name
    (``flow.source == "api"``, ``f.get("source") in ("sftp", "upload")``) and every
    ``flows_from("<name>")`` in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literal = any(_names_in(s) for s in sides)
            about_source = any("source" in ast.unparse(s) for s in sides)
            if literal and about_source:
                found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func).endswith("flows_from")
            and any(_names_in(a) for a in node.args)
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_framework_module_branches_on_a_channel_name() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(a) for a in _ALLOWED) or "node_modules" in path.parts:
            continue
        for line, text in channel_branches(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(REPO)}:{line}: {text}")
    assert offenders == [], "ask silolake.channels for the trait instead:\n" + "\n".join(offenders)


def test_the_branch_scan_sees_branches() -> None:
    code = (
        'if flow.source == "api": pass\n'
        'ok = raw.get("source") in ("sftp", "upload")\n'
        'files = silo.flows_from("sftp", "upload")\n'
        'if "sftp" in old: pass\n'  # an ingestion key, not a source: allowed
        "api = silo.flows_from(API.name)\n"
    )
    assert [line for line, _ in channel_branches(ast.parse(code))] == [1, 2, 3]
