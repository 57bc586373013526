"""Deployment bundles: reproducible per commit, manifests that match their contents."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.release.stack_bundles import BundleError, build_all, build_bundle, verify

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_the_same_commit_gives_byte_identical_bundles(example_synth, tmp_path: Path) -> None:
    first = build_all(example_synth.out, tmp_path / "a", commit=COMMIT)
    second = build_all(example_synth.out, tmp_path / "b", commit=COMMIT)
    assert [b.stack for b in first] == sorted(example_synth.stack_names)
    for a, b in zip(first, second, strict=True):
        assert a.path.relative_to(tmp_path / "a") == Path(a.stack) / "bundle.zip"
        assert a.path.read_bytes() == b.path.read_bytes()


def test_another_commit_changes_the_bytes_but_not_the_content_hash(example_synth, tmp_path: Path) -> None:
    stack_dir = example_synth.out / "stacks" / "datalake"
    a = build_bundle(stack_dir, tmp_path / "a", commit=COMMIT)
    b = build_bundle(stack_dir, tmp_path / "b", commit="f" * 40)
    assert a.path.read_bytes() != b.path.read_bytes()
    assert a.content_sha256 == b.content_sha256


def fake_stack(root: Path) -> Path:
    stack = root / "stacks" / "silo-x"
    (stack / "assets" / "ingest" / "abc").mkdir(parents=True)
    (stack / "cdk.tf.json").write_text('{"resource": {}}')
    (stack / "assets" / "ingest" / "abc" / "function.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (stack / "assets" / "job.py").write_text("print('glue')\n")
    return stack


def test_manifest_hashes_match_every_file(tmp_path: Path) -> None:
    bundle = build_bundle(fake_stack(tmp_path / "out"), tmp_path / "bundles", commit=COMMIT)
    manifest = verify(bundle.path, stack="silo-x", commit=COMMIT)
    assert set(manifest["files"]) == {"cdk.tf.json", "assets/ingest/abc/function.zip", "assets/job.py"}
    with zipfile.ZipFile(bundle.path) as zf:
        assert zf.namelist()[0] == "manifest.json"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def rewrite(bundle: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(bundle) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    for name, data in change.items():
        if data is None:
            entries.pop(name)
        else:
            entries[name] = data
    with zipfile.ZipFile(bundle, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cdk.tf.json": b'{"resource": {"aws_iam_role": {}}}'}, "does not match its manifest hash"),
        ({"assets/extra.sh": b"curl evil"}, "files differ from the manifest"),
        ({"assets/job.py": None}, "files differ from the manifest"),
        ({"manifest.json": None}, "no manifest.json"),
        ({"manifest.json": b"{not json"}, "manifest.json is not JSON"),
        ({"manifest.json": b"[1, 2]"}, "not a bundle manifest"),
        ({"manifest.json": b'{"files": ["cdk.tf.json"]}'}, "not a bundle manifest"),
    ],
)
def test_a_tampered_bundle_is_refused(tmp_path: Path, change: dict, message: str) -> None:
    bundle = build_bundle(fake_stack(tmp_path / "out"), tmp_path / "bundles", commit=COMMIT)
    rewrite(bundle.path, change)
    with pytest.raises(BundleError, match=message):
        verify(bundle.path)


def test_wrong_stack_or_commit_is_refused(tmp_path: Path) -> None:
    bundle = build_bundle(fake_stack(tmp_path / "out"), tmp_path / "bundles", commit=COMMIT)
    with pytest.raises(BundleError, match="expected 'silo-y'"):
        verify(bundle.path, stack="silo-y")
    with pytest.raises(BundleError, match="built from"):
        verify(bundle.path, commit="f" * 40)


def test_cli_bundles_and_verifies(tmp_path: Path) -> None:
    fake_stack(tmp_path / "out")
    runner = CliRunner()
    made = runner.invoke(
        main, ["bundle", "--out", str(tmp_path / "out"), "--dest", str(tmp_path / "b"), "--commit", COMMIT]
    )
    assert made.exit_code == 0, made.output
    zip_path = tmp_path / "b" / "silo-x" / "bundle.zip"
    ok = runner.invoke(main, ["verify-bundle", str(zip_path), "--stack", "silo-x", "--commit", COMMIT])
    assert ok.exit_code == 0 and "3 file(s) verified" in ok.output
    manifest = json.loads(zipfile.ZipFile(zip_path).read("manifest.json"))
    assert manifest["format"] == 1 and manifest["commit"] == COMMIT
    bad = runner.invoke(main, ["verify-bundle", str(zip_path), "--stack", "silo-y"])
    assert bad.exit_code == 2


def test_a_file_that_is_not_a_zip_is_refused_with_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "bundle.zip"
    junk.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(BundleError, match="not a readable zip"):
        verify(junk)
    result = CliRunner().invoke(main, ["verify-bundle", str(junk)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_only_what_terraform_reads_is_bundled(tmp_path: Path) -> None:
    """An in-account override, Terraform's working files and a saved plan stay out of the bundle:
    a bundle is the synthesized stack, rendered by whoever deploys it."""
    stack = fake_stack(tmp_path / "out")
    (stack / "silolake_in_account_override.tf.json").write_text("{}")
    (stack / ".terraform" / "providers").mkdir(parents=True)
    (stack / ".terraform" / "providers" / "x").write_text("binary")
    (stack / "plan.tfplan").write_bytes(b"plan")
    bundle = build_bundle(stack, tmp_path / "bundles", commit=COMMIT)
    assert set(verify(bundle.path)["files"]) == {"cdk.tf.json", "assets/ingest/abc/function.zip", "assets/job.py"}


@pytest.mark.parametrize("revision", ["", "../x", "refs/heads/main", "a b"])
def test_a_revision_that_cannot_name_an_object_is_refused(tmp_path: Path, revision: str) -> None:
    with pytest.raises(BundleError, match="not a commit or object version id"):
        build_bundle(fake_stack(tmp_path / "out"), tmp_path / "bundles", commit=revision)


def test_bundling_a_stack_that_was_not_synthesized_fails(tmp_path: Path) -> None:
    fake_stack(tmp_path / "out")
    with pytest.raises(BundleError, match="no synthesized stack silo-nope"):
        build_all(tmp_path / "out", tmp_path / "b", commit=COMMIT, stacks=["silo-nope"])
    result = CliRunner().invoke(
        main,
        [
            "bundle",
            "--out",
            str(tmp_path / "out"),
            "--dest",
            str(tmp_path / "b"),
            "--commit",
            COMMIT,
            "--stack",
            "silo-nope",
        ],
    )
    assert result.exit_code == 2 and "silo-nope" in result.output
