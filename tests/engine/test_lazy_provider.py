"""The engine's lazy provider load (silolake/engine/lazy_provider.cjs, silolake/engine/env.py)
and a synth that starts no process.

The hook rewrites the installed provider's index so its modules load on first use; these
tests fail loudly when an engine upgrade ships an index the hook no longer rewrites (the
engine then falls back to loading everything: correct, but the start-up gain is gone and
the hook must be updated), and prove a synth with the hook equals one without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from importlib import util
from pathlib import Path

import pytest

from silolake.engine import env as engine_env
from silolake.engine.env import LAZY_HOOK, engine_process_environment, engine_started
from tests.conftest import EXAMPLE, REPO

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js")

#: Loads an index with a stand-in ``require`` that records what it is asked for, eagerly and
#: rewritten, and reports what each did (``new Function``: CommonJS's own wrapper shape).
PROBE = r"""
const hook = require(process.argv[2]);
const source = require("fs").readFileSync(process.argv[3], "utf8");
function load(code) {
  const calls = [];
  const module = { exports: {} };
  const fake = (p) => { calls.push(p); return { __esModule: true, path: p }; };
  new Function("exports", "require", "module", code).call(module.exports, module.exports, fake, module);
  return { exports: module.exports, calls };
}
const t = hook.transform(source);
const eager = load(source);
const lazy = load(t.code);
const atLoad = lazy.calls.length;
const first = Object.keys(lazy.exports).find((k) => k !== "__esModule");
const value = lazy.exports[first];
const again = lazy.exports[first];
console.log(JSON.stringify({
  lazy: t.lazy, requires: t.requires, unchanged: t.code === source,
  eagerCalls: eager.calls.length, lazyCallsAtLoad: atLoad, lazyCallsAfterOneRead: lazy.calls.length,
  sameKeys: JSON.stringify(Object.keys(eager.exports)) === JSON.stringify(Object.keys(lazy.exports)),
  samePath: value.path === eager.exports[first].path, cached: value === again,
}));
"""


def provider_index(tmp_path: Path) -> Path:
    """``lib/index.js`` of the installed provider bindings, from the jsii tarball the kernel loads."""
    spec = util.find_spec("cdktn_provider_aws")
    assert spec and spec.origin
    tarball = next((Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.extractfile("package/lib/index.js")
        assert member is not None
        target = tmp_path / "index.js"
        target.write_bytes(member.read())
    return target


def probe(index: Path) -> dict:
    env = dict(os.environ, SILOLAKE_LAZY_PROVIDER_NO_INSTALL="1")
    probe_js = index.parent / "probe.cjs"
    probe_js.write_text(PROBE)
    done = subprocess.run([NODE, str(probe_js), str(LAZY_HOOK), str(index)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_hook_rewrites_the_installed_provider_index(tmp_path: Path) -> None:
    result = probe(provider_index(tmp_path))
    assert result["lazy"] == result["requires"] > 2000, (
        "the lazy provider hook no longer applies to the installed provider bindings: the engine now loads "
        "every provider module at start-up; update silolake/engine/lazy_provider.cjs for this index"
    )
    assert result["eagerCalls"] == result["requires"]
    assert result["lazyCallsAtLoad"] == 0
    assert result["lazyCallsAfterOneRead"] == 1
    assert result["sameKeys"] and result["samePath"] and result["cached"]


def test_an_index_of_another_shape_is_left_as_it_is(tmp_path: Path) -> None:
    index = provider_index(tmp_path)
    source = index.read_text()
    index.write_text(source.replace("= __importStar(require(", "= require((", 1))
    result = probe(index)
    assert result["unchanged"] and result["lazy"] == 0
    assert result["lazyCallsAtLoad"] == result["eagerCalls"]  # eager: everything loads, as without the hook


def test_engine_process_environment() -> None:
    added = engine_process_environment({"NODE_OPTIONS": "--max-http-header-size=1"})
    assert added["NODE_OPTIONS"] == f'--max-http-header-size=1 --require "{LAZY_HOOK}"'
    assert added["CDKTN_DISABLE_CREATION_STACK"] == "1"
    assert "NODE_OPTIONS" not in engine_process_environment({engine_env.EAGER_ENV: "1"})
    assert "CDKTN_DISABLE_CREATION_STACK" not in engine_process_environment({engine_env.DEBUG_ENV: "1"})
    assert "CDKTN_DISABLE_CREATION_STACK" not in engine_process_environment({"CDKTN_DISABLE_CREATION_STACK": "0"})


def test_engine_started_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    monkeypatch.delenv("CDKTN_DISABLE_CREATION_STACK", raising=False)
    with engine_started():
        assert str(LAZY_HOOK) in os.environ["NODE_OPTIONS"]
    assert "NODE_OPTIONS" not in os.environ and "CDKTN_DISABLE_CREATION_STACK" not in os.environ


def synth_one(tmp_path: Path, name: str, **env: str) -> Path:
    out = tmp_path / name
    environ = dict(os.environ, PYTHONPATH=str(REPO), **env)
    cmd = [sys.executable, "-m", "silolake", "synth", str(EXAMPLE), "--out", str(out), "--stack", "silo-sales"]
    done = subprocess.run([*cmd, "--no-cache"], env=environ, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return out / "stacks" / "silo-sales"


@pytest.mark.slow
def test_a_synth_loads_few_provider_modules_and_writes_the_same_bytes_as_an_eager_one(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    lazy = synth_one(tmp_path, "lazy", SILOLAKE_LAZY_PROVIDER_REPORT=str(report))
    seen = json.loads(report.read_text())
    assert [i["mode"] for i in seen["indexes"]] == ["lazy"], seen
    assert 0 < seen["loadedProviderModules"] < 300, seen  # a silo stack uses ~90 of ~2,400
    assert seen["childProcesses"] == []  # no `terraform version` or any other process during synth
    eager_report = tmp_path / "eager.json"
    eager = synth_one(tmp_path, "eager", SILOLAKE_EAGER_PROVIDER="1", SILOLAKE_LAZY_PROVIDER_REPORT=str(eager_report))
    assert not eager_report.exists()  # no hook in the engine
    files = sorted(p.relative_to(lazy) for p in lazy.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(eager) for p in eager.rglob("*") if p.is_file())
    for f in files:
        assert (lazy / f).read_bytes() == (eager / f).read_bytes(), f
