"""Bundle manifests and verification before deploy (silolake.ops.bundles), S3 through moto."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from moto import mock_aws

from silolake.ops import bundles
from silolake.ops.bundles import BundleError, FileEntry, Manifest

ACCOUNT, OTHER = "444444444444", "555555555555"
BUCKET = "acme-artifacts-222222222222-euw1"


@pytest.fixture
def bundle_dir(tmp_path):
    root = tmp_path / "src"
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "orders.py").write_text("print('orders')\n")
    (root / "config.json").write_bytes(b'{"a": 1}')
    return root


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


def test_manifest_hashes_every_file_and_is_canonical(bundle_dir):
    m = bundles.build_manifest(bundle_dir, account_id=ACCOUNT, bundle="etl")
    assert [f.path for f in m.files] == ["config.json", "jobs/orders.py"]
    assert m.files[0] == FileEntry("config.json", hashlib.sha256(b'{"a": 1}').hexdigest(), 8)
    again = Manifest.from_json(m.to_json())
    assert again == m and again.digest == m.digest
    assert b" " not in m.to_json()


def test_verify_files_reports_every_difference(bundle_dir):
    m = bundles.build_manifest(bundle_dir, account_id=ACCOUNT, bundle="etl")
    bundles.verify_files(bundle_dir, m)  # untouched: passes
    (bundle_dir / "jobs" / "orders.py").write_text("print('sredro')\n")  # same size, other bytes
    (bundle_dir / "config.json").unlink()
    (bundle_dir / "extra.py").write_text("x")
    with pytest.raises(BundleError) as err:
        bundles.verify_files(bundle_dir, m)
    evil = hashlib.sha256((bundle_dir / "jobs" / "orders.py").read_bytes()).hexdigest()
    assert err.value.problems == [
        "config.json: listed in the manifest but missing",
        "extra.py: not in the manifest",
        f"jobs/orders.py: SHA-256 {evil} does not match the manifest's {m.files[1].sha256}",
    ]


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "a//b", "a\\b", "", "./a"])
def test_manifest_refuses_paths_leaving_the_bundle(path):
    doc = {
        "format": 1,
        "account_id": ACCOUNT,
        "bundle": "etl",
        "files": [{"path": path, "sha256": "0" * 64, "size": 1}],
    }
    with pytest.raises(BundleError, match="unsafe or invalid path"):
        Manifest.from_json(json.dumps(doc).encode())


def test_manifest_refuses_bad_structure():
    with pytest.raises(BundleError, match="not JSON"):
        Manifest.from_json(b"\xff")
    with pytest.raises(BundleError, match="format must be 1"):
        Manifest.from_json(b'{"format": 2}')
    doc = {"format": 1, "account_id": "12", "bundle": "Bad Name", "files": [{"path": "a", "sha256": "x", "size": -1}]}
    with pytest.raises(BundleError) as err:
        Manifest.from_json(json.dumps(doc).encode())
    assert len(err.value.problems) == 3


def test_publish_then_fetch_verified_roundtrip(bundle_dir, s3, tmp_path):
    pub = bundles.publish(s3, BUCKET, bundle_dir, account_id=ACCOUNT, bundle="etl")
    assert pub.manifest_key == f"bundles/{ACCOUNT}/etl/manifest.json"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"bundles/{ACCOUNT}/etl/{p}" for p in ("manifest.json", "config.json", "jobs/orders.py")}
    got = bundles.fetch_verified(
        s3,
        BUCKET,
        tmp_path / "out",
        account_id=ACCOUNT,
        bundle="etl",
        manifest_version_id=pub.version_id,
        expected_digest=pub.digest,
    )
    assert (tmp_path / "out" / "jobs" / "orders.py").read_text() == "print('orders')\n"
    assert got.digest == pub.digest and all(f.version_id for f in got.files)


def test_an_overwrite_after_publish_does_not_change_what_a_pinned_deploy_runs(bundle_dir, s3, tmp_path):
    pub = bundles.publish(s3, BUCKET, bundle_dir, account_id=ACCOUNT, bundle="etl")
    s3.put_object(Bucket=BUCKET, Key=f"bundles/{ACCOUNT}/etl/jobs/orders.py", Body=b"print('evil')\n")
    bundles.fetch_verified(
        s3,
        BUCKET,
        tmp_path / "out",
        account_id=ACCOUNT,
        bundle="etl",
        manifest_version_id=pub.version_id,
        expected_digest=pub.digest,
    )
    assert (tmp_path / "out" / "jobs" / "orders.py").read_text() == "print('orders')\n"


def test_a_replaced_manifest_is_refused(bundle_dir, s3, tmp_path):
    pub = bundles.publish(s3, BUCKET, bundle_dir, account_id=ACCOUNT, bundle="etl")
    (bundle_dir / "jobs" / "orders.py").write_text("print('evil')\n")
    forged = bundles.publish(s3, BUCKET, bundle_dir, account_id=ACCOUNT, bundle="etl")
    with pytest.raises(BundleError, match="is not the recorded digest"):
        bundles.fetch_verified(
            s3,
            BUCKET,
            tmp_path / "out",
            account_id=ACCOUNT,
            bundle="etl",
            manifest_version_id=forged.version_id,
            expected_digest=pub.digest,
        )


def test_a_tampered_file_version_is_refused(bundle_dir, s3, tmp_path):
    """A manifest whose entry hash does not fit the stored object fails after download."""
    manifest = bundles.build_manifest(bundle_dir, account_id=ACCOUNT, bundle="etl")
    base = bundles.bundle_root_key(ACCOUNT, "etl")
    entries = []
    for f in manifest.files:
        body = b"tampered" if f.path == "config.json" else (bundle_dir / f.path).read_bytes()
        v = s3.put_object(Bucket=BUCKET, Key=base + f.path, Body=body)["VersionId"]
        entries.append(FileEntry(f.path, f.sha256, f.size, v))
    m = Manifest(ACCOUNT, "etl", tuple(entries))
    v = s3.put_object(Bucket=BUCKET, Key=base + "manifest.json", Body=m.to_json())["VersionId"]
    with pytest.raises(BundleError, match="config.json: 8 bytes|config.json: SHA-256"):
        bundles.fetch_verified(
            s3,
            BUCKET,
            tmp_path / "out",
            account_id=ACCOUNT,
            bundle="etl",
            manifest_version_id=v,
            expected_digest=m.digest,
        )


def test_a_manifest_for_another_account_is_refused(bundle_dir, s3, tmp_path):
    """Even with a matching digest, a bundle built for another account is not deployed here."""
    m = bundles.build_manifest(bundle_dir, account_id=OTHER, bundle="etl")
    base = bundles.bundle_root_key(ACCOUNT, "etl")
    v = s3.put_object(Bucket=BUCKET, Key=base + "manifest.json", Body=m.to_json())["VersionId"]
    with pytest.raises(BundleError) as err:
        bundles.fetch_verified(
            s3,
            BUCKET,
            tmp_path / "out",
            account_id=ACCOUNT,
            bundle="etl",
            manifest_version_id=v,
            expected_digest=m.digest,
        )
    assert f"manifest is for account {OTHER}, not {ACCOUNT}" in err.value.problems
    assert "config.json: no version id in the manifest" in err.value.problems


def test_publish_refuses_symlinks_and_a_reserved_name(bundle_dir, s3):
    (bundle_dir / "link").symlink_to(bundle_dir / "config.json")
    with pytest.raises(BundleError, match="symbolic links"):
        bundles.publish(s3, BUCKET, bundle_dir, account_id=ACCOUNT, bundle="etl")
    (bundle_dir / "link").unlink()
    (bundle_dir / "manifest.json").write_text("{}")
    with pytest.raises(BundleError, match="reserved"):
        bundles.build_manifest(bundle_dir, account_id=ACCOUNT, bundle="etl")


def test_unversioned_bucket_cannot_pin(bundle_dir, s3):
    s3.create_bucket(Bucket="plain", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(BundleError, match="not versioned"):
        bundles.publish(s3, "plain", bundle_dir, account_id=ACCOUNT, bundle="etl")
