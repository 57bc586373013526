"""The change rules of ``silolake/catalog/changes/`` and their one snapshot builder.

Each rule is a module of its own, registered in ``rules.py``; the base's snapshot and the
validated catalog's come from the same lenient builder (``raw_snapshot``), which must read
every fact as the model does (schema defaults, canonical column types, accounts from the
lock), or a comparison would see changes nobody made."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.changes import rules, snapshot
from silolake.catalog.changes.snapshot import sftp_state
from silolake.cli import main
from tests.conftest import REPO
from tests.day2.edits import flow, full_data
from tests.day2.schema_edits import catalog_edits

CHANGES = "silolake.catalog.changes"
LOCK = (REPO / "tests" / "day2" / "catalogs" / "accounts.lock.json").read_text()


def _rules_defined() -> dict[str, list[str]]:
    """Module -> its public functions taking ``(pair, at)``: the rules."""
    found = {}
    package = importlib.import_module(CHANGES)
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{CHANGES}.{info.name}")
        found[info.name] = [
            name
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__ == module.__name__
            and not name.startswith("_")
            and list(inspect.signature(fn).parameters) == ["pair", "at"]
        ]
    return {m: names for m, names in found.items() if names}


def test_every_rule_is_registered_and_has_a_module_of_its_own():
    defined = _rules_defined()
    registered = rules.CATALOG + rules.SILOS + rules.FLOWS + rules.CONSUMERS
    assert len(registered) == len(set(registered)) >= 20
    assert {f"{fn.__module__}.{fn.__name__}" for fn in registered} == {
        f"{CHANGES}.{module}.{name}" for module, names in defined.items() for name in names
    }
    assert [m for m, names in defined.items() if len(names) > 1] == []


def _model_facts(catalog) -> dict:
    """The snapshot's facts read from the validated model (the builder reads raw data).

    A fact added to ``snapshot.py`` is added here too, read from the model (the change-rule
    recipe, docs/contributing.md): the test then proves the builder reads it as the model does."""
    org = catalog.organization
    keys = ("name", "management_account_id", "home_region", "state_bucket_prefix", "deploy_role_name")
    flows = {
        s.name: {
            f.name: {
                "source": f.source,
                "format": f.format,
                "csv": {"delimiter": f.csv_delimiter, "header": f.csv_header},
                "storage": f.storage_name,
                "warehouse": f.warehouse,
                "quicksight": f.quicksight,
                "columns": [[c.name, c.type] for c in f.columns],
                "partition_by": list(f.partition_by),
                "keys": list(f.keys),
                "schema_version": f.schema_version,
            }
            for f in s.flows
        }
        for s in catalog.silos
    }
    return {
        "organization": {k: getattr(org, k) for k in keys},
        "datalake": {"account_id": catalog.datalake.account_id, "region": catalog.datalake.region},
        "silos": {
            s.name: {
                "account_id": s.account_id,
                "email_only": s.email is not None,
                "email": s.email,
                "region": s.region,
                "decommission": s.decommission,
                "flows": flows[s.name],
                "removed_flows": list(s.removed_flows),
                "sftp": sftp_state(s.ingestion.sftp_enabled, s.ingestion.sftp_server_kept),
                "web_upload": s.ingestion.web_upload_enabled,
                "owners": list(s.owners),
            }
            for s in catalog.silos
        },
        "analytics": {
            c.name: {"account_id": c.account_id, "region": c.region, "silos": "all" if c.all_silos else sorted(c.silos)}
            for c in catalog.analytics
        },
    }


def differing_facts(built: object, model: object, path: str = "") -> list[str]:
    """The key paths where the snapshot builder's facts and :func:`_model_facts` differ, each
    saying which side holds what: a fact only the builder has means ``_model_facts`` (this
    test's reading of the model) was not given the fact the builder was."""
    if isinstance(built, dict) and isinstance(model, dict):
        found = []
        for key in sorted({*built, *model}, key=str):
            at = f"{path}.{key}" if path else str(key)
            if key not in model:
                found.append(f"{at}: built by snapshot.py, missing from _model_facts in this test (add it there)")
            elif key not in built:
                found.append(f"{at}: in _model_facts, not built by snapshot.py")
            else:
                found += differing_facts(built[key], model[key], at)
        return found
    return [] if built == model else [f"{path}: snapshot.py reads {built!r}, the model holds {model!r}"]


def _assert_same_facts(catalog, what: object) -> None:
    differing = differing_facts(snapshot(catalog), _model_facts(catalog))
    assert not differing, f"{what}:\n" + "\n".join(differing)


def test_a_fact_the_builder_has_and_the_model_facts_lack_is_named():
    """The failure names the fact: a new snapshot key left out of ``_model_facts``."""
    built = {"silos": {"a": {"region": "eu-west-1", "tier": "gold"}}}
    model = {"silos": {"a": {"region": "eu-west-2"}}}
    assert differing_facts(built, model) == [
        "silos.a.region: snapshot.py reads 'eu-west-1', the model holds 'eu-west-2'",
        "silos.a.tier: built by snapshot.py, missing from _model_facts in this test (add it there)",
    ]
    assert differing_facts(model, model) == []


def test_the_snapshot_of_every_valid_schema_edit_holds_the_models_facts(tmp_path):
    """Every edit the JSON Schema allows on the catalog using every capability (and the
    repository's catalogs, one with e-mail silos resolved through its lock): the builder
    reads raw data as the model reads it, defaults and canonical types included."""
    base = full_data()
    flow(base, "drops")["columns"][1]["type"] = "BIGINT"  # canonical: bigint
    flow(base, "prices")["columns"][1]["type"] = "Decimal(12, 2)"  # canonical: decimal(12,2)
    checked = 0
    for i, edit in enumerate([None, *catalog_edits(base)]):
        path = tmp_path / f"e{i}" / "silos.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(base if edit is None else edit.apply(base), sort_keys=False))
        try:
            catalog = load_catalog(path)
        except CatalogError:
            continue
        _assert_same_facts(catalog, edit or "the unedited catalog")
        checked += 1
    for path in (REPO / "silos.yaml", REPO / "tests" / "fixtures" / "acme" / "silos.yaml"):
        catalog = load_catalog(path)
        _assert_same_facts(catalog, path)
    assert checked > 50


def test_an_unchanged_catalog_spelling_types_its_own_way_has_no_change(tmp_path: Path):
    """``integer`` is ``int`` to the model: a base read as written would see the column
    narrowed from ``integer`` to ``int`` and refuse an edit that changed nothing."""
    data = full_data()
    flow(data, "drops")["columns"][1]["type"] = "integer"
    flow(data, "orders")["columns"][1]["type"] = "Decimal(12, 2)"
    text = yaml.safe_dump(data, sort_keys=False)
    for name in ("base.yaml", "silos.yaml"):
        (tmp_path / name).write_text(text)
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml"), "--base", str(tmp_path / "base.yaml")])
    assert result.exit_code == 0, result.output
    assert "change (" not in result.output


def test_a_manifest_an_earlier_version_wrote_is_still_compared(tmp_path: Path, monkeypatch):
    """Synth's manifest keeps the snapshot's shape; one written before a key existed (here
    without the capability, column and layout facts) compares without inventing a change,
    and still refuses what it can see."""
    import json

    from silolake.catalog.changes import MANIFEST, write_manifest

    data = full_data()
    (tmp_path / "silos.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    (tmp_path / "cdktf.out").mkdir()
    write_manifest(tmp_path / "cdktf.out", load_catalog(tmp_path / "silos.yaml"))
    manifest = tmp_path / "cdktf.out" / MANIFEST
    body = json.loads(manifest.read_text())
    for entry in body["snapshot"]["silos"].values():
        for key in ("sftp", "web_upload", "owners"):
            del entry[key]
        for facts in entry["flows"].values():
            for key in ("warehouse", "columns", "partition_by", "keys", "schema_version"):
                del facts[key]
    manifest.write_text(json.dumps(body))
    monkeypatch.chdir(tmp_path)

    same = CliRunner().invoke(main, ["validate", "silos.yaml"])
    assert same.exit_code == 0, same.output
    assert "change (" not in same.output

    data["silos"][0]["flows"].pop()  # prices, without removed_flows
    data["silos"][0]["owners"].pop()
    (tmp_path / "silos.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    gone = CliRunner().invoke(main, ["validate", "silos.yaml"])
    assert gone.exit_code == 2
    assert "flow 'prices' of silo 'hub' was removed (base last synth in cdktf.out)" in gone.output
    assert "owners changed" not in gone.output  # the old manifest did not record them: not compared
