"""The per-stack synth cache: every key input changes the key, and a cached synth is the same
bytes as an uncached one (example, fixture and generated catalogs, a one-silo change, a
damaged entry)."""

from __future__ import annotations

import dataclasses
import filecmp
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silolake.catalog import load_catalog
from silolake.review.affected import stack_inputs
from silolake.synth import cache as synth_cache
from silolake.synth.app import synthesize
from silolake.synth.cache import KeyInputs, SynthCache, engine_identity, environment_identity, key_inputs, tree_digest
from tests.conftest import EXAMPLE, REPO, copy_example
from tests.delivery.generated import make_repo
from tests.flows import with_custom_orders_job

FIELDS = [f.name for f in dataclasses.fields(KeyInputs)]
BASE = KeyInputs("silo-a", "silo", "p" * 64, "l" * 64, "f" * 64, "cdktn x==1", "{}", "[]")


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(FIELDS), value=st.text(max_size=40))
def test_changing_any_one_key_input_changes_the_key(field: str, value: str) -> None:
    changed = dataclasses.replace(BASE, **{field: value})
    assert (changed.key() == BASE.key()) == (value == getattr(BASE, field))


def keys_of(catalog_path: Path) -> dict[str, str]:
    return {name: k.key() for name, k in key_inputs(load_catalog(catalog_path)).items()}


def test_org_and_datalake_share_a_projection_but_not_a_key() -> None:
    catalog = load_catalog(EXAMPLE)
    assert stack_inputs(catalog)["org"] == stack_inputs(catalog)["datalake"]
    keys = keys_of(EXAMPLE)
    assert len(set(keys.values())) == len(keys)


def test_real_inputs_reach_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog_path = copy_example(tmp_path)
    before = keys_of(catalog_path)

    # The catalog: one silo's flow changes that silo's key (and the stacks reading it), not another silo's.
    text = catalog_path.read_text()
    catalog_path.write_text(text.replace('schedule: "rate(1 hour)"', 'schedule: "rate(2 hours)"', 1))
    after = keys_of(catalog_path)
    assert after["silo-sales"] != before["silo-sales"]
    assert after["silo-logistics"] == before["silo-logistics"]

    # A user file the stack packages: the custom job's bytes.
    (tmp_path / "glue_src").mkdir()
    job = tmp_path / "glue_src" / "orders.py"
    job.write_text("print('v1')\n")
    catalog_path.write_text(with_custom_orders_job(text, "glue_src/orders.py"))
    v1 = keys_of(catalog_path)
    job.write_text("print('v2')\n")
    v2 = keys_of(catalog_path)
    assert v2["silo-sales"] != v1["silo-sales"]
    assert v2["silo-logistics"] == v1["silo-logistics"]
    catalog_path.write_text(text)

    # The accounts lock file: every stack.
    lock = tmp_path / "accounts.lock.json"
    lock.write_text(lock.read_text().replace("}", " }", 1))
    assert all(keys_of(catalog_path)[n] != before[n] for n in before)
    shutil.copy(EXAMPLE.parent / "accounts.lock.json", lock)
    assert keys_of(catalog_path) == before

    # The environment the engine reads.
    monkeypatch.setenv("SYNTH_HCL_OUTPUT", "true")
    assert all(keys_of(catalog_path)[n] != before[n] for n in before)
    monkeypatch.delenv("SYNTH_HCL_OUTPUT")

    # The engine: its name and each distribution's version.
    assert engine_identity("cdktn") != engine_identity("cdktf")
    real = synth_cache.metadata.version
    monkeypatch.setattr(synth_cache.metadata, "version", lambda d: "9.9.9" if d == "cdktn-provider-aws" else real(d))
    assert all(keys_of(catalog_path)[n] != before[n] for n in before)


def test_framework_digest_covers_code_and_runtime_assets(tmp_path: Path) -> None:
    package = tmp_path / "silolake"
    shutil.copytree(REPO / "silolake", package, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    skip = {"__pycache__", "node_modules"}
    original = tree_digest(package, skip)
    for changed in ["synth/app.py", "runtime/pages/index.html", "requirements/synth.lock", "engine/lazy_provider.cjs"]:
        path = package / changed
        data = path.read_bytes()
        path.write_bytes(data + b"\n")
        assert tree_digest(package, skip) != original, changed
        path.write_bytes(data)
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"bytecode")
    assert tree_digest(package, skip) == original  # bytecode is not the framework


def test_environment_identity_lists_only_what_synth_reads() -> None:
    assert environment_identity({"HOME": "/x", "PATH": "/bin"}) == "{}"
    assert environment_identity({"SYNTH_HCL_OUTPUT": "true"}) != environment_identity({})


def test_the_default_engine_named_or_not_is_one_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SILOLAKE_ENGINE", raising=False)
    unset = keys_of(EXAMPLE)
    monkeypatch.setenv("SILOLAKE_ENGINE", "cdktn")
    assert keys_of(EXAMPLE) == unset
    monkeypatch.setenv("SILOLAKE_ENGINE", "cdktf")
    assert keys_of(EXAMPLE) != unset


def same_tree(a: Path, b: Path) -> None:
    """``a`` and ``b`` hold the same files with the same bytes (the cache directory aside)."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and ".synth-cache" not in p.parts)
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and ".synth-cache" not in p.parts)
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(p) for p in files_a], shallow=False)
    assert not mismatch and not errors, mismatch + errors


def catalogs(tmp_path: Path) -> dict[str, Path]:
    return {
        "example": REPO / "silos.yaml",
        "fixture": EXAMPLE,
        "generated": make_repo(tmp_path / "generated", 3),
    }


@pytest.mark.slow
@pytest.mark.parametrize("which", ["example", "fixture", "generated"])
def test_a_cached_synth_is_byte_identical_to_an_uncached_one(which: str, tmp_path: Path) -> None:
    catalog = load_catalog(catalogs(tmp_path)[which])
    synthesize(catalog, tmp_path / "plain")
    cache = SynthCache(tmp_path / "cache")
    # The generated catalog's misses go to worker processes: what they store is what one process writes.
    synthesize(catalog, tmp_path / "cold", cache=cache, jobs=2 if which == "generated" else 1)
    assert (cache.hits, cache.stored) == (0, len(key_inputs(catalog)))
    warm = SynthCache(tmp_path / "cache")
    synthesize(catalog, tmp_path / "warm", cache=warm)
    assert (warm.hits, warm.misses, warm.stored) == (len(key_inputs(catalog)), 0, 0)
    same_tree(tmp_path / "plain", tmp_path / "warm")
    same_tree(tmp_path / "plain", tmp_path / "cold")


@pytest.mark.slow
def test_one_silo_changed_synthesizes_that_silo_and_matches_a_full_synth(tmp_path: Path) -> None:
    path = make_repo(tmp_path / "repo", 3)
    out = tmp_path / "cdktf.out"
    cache = synth_cache.default_cache_dir(out)
    synthesize(load_catalog(path), out, cache=SynthCache(cache))
    path.write_text(
        path.read_text().replace("owners: [team2@gen.example]", "owners: [team2@gen.example, x@gen.example]")
    )
    changed = load_catalog(path)
    run = SynthCache(cache)
    synthesize(changed, out, cache=run)
    assert run.misses == 1 and run.stored == 1 and run.hits == len(key_inputs(changed)) - 1
    assert cache.is_dir()  # a full synth carries the cache over into the new output tree
    synthesize(changed, tmp_path / "plain")
    same_tree(tmp_path / "plain", out)


@pytest.mark.slow
def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    catalog = load_catalog(EXAMPLE)
    synthesize(catalog, tmp_path / "a", stacks=["silo-sales"], cache=SynthCache(tmp_path / "cache"))
    entry = next((tmp_path / "cache").glob("*/*/stack/cdk.tf.json"))
    entry.write_text(entry.read_text()[:-10])  # a truncated copy
    again = SynthCache(tmp_path / "cache")
    synthesize(catalog, tmp_path / "b", stacks=["silo-sales"], cache=again)
    assert (again.hits, again.misses, again.stored) == (0, 1, 1)
    same_tree(tmp_path / "a" / "stacks", tmp_path / "b" / "stacks")
    third = SynthCache(tmp_path / "cache")
    synthesize(catalog, tmp_path / "c", stacks=["silo-sales"], cache=third)
    assert third.hits == 1


@pytest.mark.slow
def test_a_stack_served_from_the_cache_replaces_the_one_in_out(tmp_path: Path) -> None:
    """``--stack`` over an existing output, every stack a hit: the engine never starts, and the
    old stack directory is swapped out all the same (``affected`` does this on every CI run)."""
    catalog = load_catalog(EXAMPLE)
    out, cache = tmp_path / "out", tmp_path / "cache"
    synthesize(catalog, out, stacks=["silo-sales"], cache=SynthCache(cache))
    again = SynthCache(cache)
    synthesize(catalog, out, stacks=["silo-sales"], cache=again)
    assert (again.hits, again.misses) == (1, 0)
    synthesize(catalog, tmp_path / "plain", stacks=["silo-sales"])
    same_tree(tmp_path / "plain" / "stacks", out / "stacks")


@pytest.mark.slow
def test_the_cli_synth_uses_the_cache_under_out_and_no_cache_bypasses_it(tmp_path: Path) -> None:
    from tests.cli.test_cli import silolake

    catalog = make_repo(tmp_path / "repo", 2)
    out = tmp_path / "out"
    first = silolake("synth", str(catalog), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "from the cache" not in first.stdout and (out / ".synth-cache").is_dir()
    second = silolake("synth", str(catalog), "--out", str(out), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    stacks = len(key_inputs(load_catalog(catalog)))
    assert f"({stacks} from the cache in {(out / '.synth-cache').resolve()})" in second.stdout.splitlines()[-1]
    assert second.stderr.count("(cached)") == stacks
    plain = tmp_path / "plain"
    third = silolake("synth", str(catalog), "--out", str(plain), "--no-cache", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert "(cached)" not in third.stderr and not (plain / ".synth-cache").exists()
    same_tree(plain, out)


@pytest.mark.slow
def test_affected_synthesizes_base_and_head_through_the_cache(tmp_path: Path) -> None:
    from silolake.review.affected import affected

    catalog = make_repo(tmp_path / "repo", 3)
    catalog.write_text(catalog.read_text().replace("owners: [team2@gen.example]", "owners: [x@gen.example]"))
    cache = tmp_path / "cache"
    first = affected(catalog, "HEAD", cache_dir=cache)
    assert first.stacks == ["silo-silo02"]
    entries = sorted(p.name for p in cache.glob("*/*"))
    assert len(entries) == 2  # the candidate at the base and at the head
    cached = SynthCache(cache)
    synthesize(load_catalog(catalog), tmp_path / "again", stacks=["silo-silo02"], cache=cached)
    assert cached.hits == 1
    assert affected(catalog, "HEAD", cache_dir=cache).stacks == ["silo-silo02"]
    assert sorted(p.name for p in cache.glob("*/*")) == entries
