"""Both engines synthesize the same Terraform: the default (CDK Terrain) and the archived cdktf 0.21.

The cdktf engine lives in its own virtualenv (``.venv-cdktf``, made by
``scripts/dev.py test``), so this test runs the CDKTF CLI's entry point (``main.py``)
there, the way ``npx cdktf synth`` does (output directory from ``CDKTF_OUTDIR``,
catalog from ``SILOLAKE_CATALOG``), and compares every stack resource by resource with
the session's synth on the default engine. Allowed to differ: the AWS provider's version
and source spelling (``required_providers``) and the engine's version stamp.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from silolake.aws import versions
from silolake.synth.feedback import synth_notices
from tests.conftest import EXAMPLE, REPO

CDKTF_PYTHON = REPO / ".venv-cdktf" / "bin" / "python"
#: What may differ between engines: terraform.required_providers (provider version and
#: source spelling) and the "//" metadata stamp (engine version).
ENGINE_SPECIFIC = ("required_providers", "//")

pytestmark = pytest.mark.slow


def without_engine_specifics(doc: dict) -> dict:
    doc = {k: v for k, v in doc.items() if k != "//"}
    doc["terraform"] = {k: v for k, v in doc.get("terraform", {}).items() if k != "required_providers"}
    return doc


@pytest.fixture(scope="module")
def cdktf_cli_synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    if not CDKTF_PYTHON.exists():
        pytest.fail("no .venv-cdktf: `python3 scripts/dev.py test` creates it (pip install -e '.[cdktf]')")
    out = tmp_path_factory.mktemp("cdktf-engine") / "cdktf.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDKTF_")}
    env.update(SILOLAKE_ENGINE="cdktf", CDKTF_OUTDIR=str(out), SILOLAKE_CATALOG=str(EXAMPLE))
    result = subprocess.run(
        [str(CDKTF_PYTHON), "main.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    return out, result


def test_cdktf_engine_synthesizes_the_same_resources(cdktf_cli_synth, example_synth) -> None:
    out, _ = cdktf_cli_synth
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"].startswith("0.21."), "the cdktf engine really ran"
    assert sorted(manifest["stacks"]) == sorted(example_synth.stack_names)
    for name in example_synth.stack_names:
        theirs = json.loads((out / "stacks" / name / "cdk.tf.json").read_text())
        ours = example_synth.stack(name)
        assert theirs["terraform"]["required_providers"]["aws"]["version"] == "6.25.0"
        assert ours["terraform"]["required_providers"]["aws"] == {
            "source": "hashicorp/aws",
            "version": versions.AWS_PROVIDER_VERSION,
        }
        a, b = without_engine_specifics(theirs), without_engine_specifics(ours)
        assert sorted(a) == sorted(b), name
        for block in a:
            if block == "terraform" or isinstance(a[block], list):  # terraform settings; moved/removed blocks
                assert a[block] == b[block], f"{name}: {block} block differs between engines"
                continue
            for rtype in sorted(set(a[block]) | set(b[block])):
                assert a[block].get(rtype) == b[block].get(rtype), f"{name}: {block}.{rtype} differs between engines"


def test_the_cli_entry_point_prints_the_same_notices_as_silolake_synth(cdktf_cli_synth, example_catalog) -> None:
    _, result = cdktf_cli_synth
    expected = [f"notice: {n}" for n in synth_notices(example_catalog)]
    assert expected, "the example has a pending silo, so there is a notice to print"
    assert [line for line in result.stderr.splitlines() if line.startswith("notice: ")] == expected
