"""The dropzone layout is defined once (``silolake.policy.dropzone``) and the runtime agrees.

Runtime code cannot import the framework: the partner functions (``partner_access.layout``,
``partner_access.model``) and the landing function (``landing.rules``, ``landing.credentials``)
restate the layout and the credential's flows tag. These tests fail as soon as one side moves.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest

from silolake.aws import names
from silolake.policy import dropzone
from silolake.policy import partner as pp
from silolake.runtime import runtime_path

PARTNERS = ("bob", "reseller-one", "y" * 32)
FLOWS = ("reseller_reports", "price_lists", "f")
FILES = ("april.csv", "week 1.parquet", "x.csv.gz")


def runtime_module(function: str, module: str) -> ModuleType:
    source = str(runtime_path("lambda", function))
    if source not in sys.path:
        sys.path.insert(0, source)  # how Lambda imports a bundle: its folder is the root
    return importlib.import_module(module)


@pytest.fixture(scope="module")
def layout() -> ModuleType:
    return runtime_module("partner", "partner_access.layout")


@pytest.fixture(scope="module")
def rules() -> ModuleType:
    return runtime_module("landing", "landing.rules")


def test_partner_functions_write_and_map_the_framework_layout(layout: ModuleType) -> None:
    assert layout.STATUS_PREFIX == names.STATUS_PREFIX
    assert layout.SFTP_STATUS_FOLDER == dropzone.SFTP_STATUS_FOLDER
    for partner in PARTNERS:
        assert layout.partner_prefix(partner) == dropzone.partner_prefix(partner)
        assert layout.status_prefix(partner) == dropzone.status_prefix(partner)
        for flow in FLOWS:
            assert layout.flow_prefix(partner, flow) == dropzone.flow_prefix(partner, flow)
        assert layout.home_directory("bucket-1", partner, FLOWS) == dropzone.home_directory("bucket-1", partner, FLOWS)


def test_landing_reads_and_writes_the_framework_layout(rules: ModuleType) -> None:
    assert rules.STATUS_PREFIX == names.STATUS_PREFIX
    for partner in PARTNERS:
        for flow in FLOWS:
            for file in FILES:
                key = dropzone.flow_prefix(partner, flow) + file
                assert rules.parse_key(key) == rules.DropKey(partner, flow, file)
                assert rules.status_key(key) == dropzone.status_key(key)
                assert rules.status_key(key).startswith(dropzone.status_prefix(partner))
                assert rules.quarantine_key(key) == dropzone.quarantine_key(key)
    record = rules.status_record("bob/f/a.csv", 3, "landed", "", "2026-05-01T00:00:00Z")
    assert tuple(record) == dropzone.STATUS_FIELDS
    assert dropzone.LAYOUT == {
        "upload": "<partner>/<flow>/<file>",
        "status": "_status/<partner>/<flow>/<file>.json",
        "quarantine": "_quarantine/<partner>/<flow>/<file>",
    }


def test_the_flows_tag_means_the_same_to_admin_landing_and_the_framework() -> None:
    model = runtime_module("partner", "partner_access.model")
    credentials = runtime_module("landing", "landing.credentials")
    assert model.TAG_FLOWS == pp.TAG_FLOWS and model.TAG_USERNAME == pp.TAG_USERNAME
    assert model.ROLE_PREFIX == pp.ROLE_PREFIX and model.ROLE_PATH == pp.ROLE_PATH
    assert model.NO_FLOWS == credentials.NO_FLOWS
    assert model.USERNAME.pattern == credentials.USERNAME.pattern
    assert model.flows_from_tag(model.NO_FLOWS) == ()
    assert model.flows_from_tag("a b") == ("a", "b") and model.flows_from_tag(None) is None


def test_system_prefixes_are_never_a_partner(layout: ModuleType) -> None:
    model = runtime_module("partner", "partner_access.model")
    for prefix in (names.STATUS_PREFIX, names.QUARANTINE_PREFIX, names.ARTIFACTS_PREFIX):
        assert prefix.startswith(names.SYSTEM_PREFIX)
        assert not model.valid_username(prefix.rstrip("/"))
