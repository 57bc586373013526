"""Publishing to the central artifacts bucket: stack bundles and the Terraform provider mirror.

Run as the publisher role (``silolake-datalake-publisher``, the only principal the bucket
lets write) by the master leg of the AWS-native pipeline (``delivery/buildspec/master.yml``)
or by an operator. Two kinds of object, each at a key fixed in :mod:`silolake.aws.names`:

- **stack bundles** (:mod:`silolake.release.stack_bundles`): ``bundles/<account id>/<stack>/bundle.zip``,
  under the prefix of the account the stack deploys into, which is the only prefix that
  account's pipeline role may read. The zip is uploaded with the object metadata
  ``content-sha256`` (the manifest's hash of the files, independent of the commit) and
  ``commit``. With ``only_changed`` a bundle whose current object already carries the same
  ``content-sha256`` is not uploaded again: a new object version would start that silo's
  pipeline for nothing.
- **the provider mirror**: ``providers/hashicorp/aws/<version>/<platform>.zip``, a reproducible
  zip of the tree ``terraform providers mirror -platform=<platform> DIR`` writes
  (``registry.terraform.io/hashicorp/aws/index.json``, ``<version>.json`` and the provider
  zip), so silo pipelines install the pinned provider without reaching the public registry.
- **the silolake wheel**: ``tools/silolake/<commit>.whl``, built from the commit the bundles
  were synthesized from, so a silo pipeline verifies, renders and summarizes its bundle with
  the very framework that made it (the commit is in the bundle's manifest); no package index
  has to serve silolake.

The bucket must be versioned (every upload returns a version id; the pipeline execution
that deploys a bundle records the version its S3 source action read). An upload without a
version id is refused as an error rather than silently overwriting the only copy.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..aws import delivery_names
from ..aws.versions import AWS_PROVIDER_VERSION
from ..errors import UsageError
from . import stack_bundles

__all__ = [
    "MirrorError",
    "Published",
    "PublishError",
    "StackBundle",
    "mirror_files",
    "mirror_zip",
    "package_hash_v1",
    "publish_bundles",
    "publish_mirror",
    "stack_bundles_of",
]

#: Object metadata keys (S3 stores them as ``x-amz-meta-<key>``; boto3 returns them lower-case).
CONTENT_SHA256 = "content-sha256"
COMMIT = "commit"
MIRROR_PLATFORM = "linux_amd64"
_REGISTRY_DIR = "registry.terraform.io/hashicorp/aws"


class PublishError(UsageError, RuntimeError):
    """Nothing or not everything was published (unversioned bucket, missing bundle, bad bundle)."""


class MirrorError(PublishError):
    """The directory is not a ``terraform providers mirror`` tree of the expected provider."""


@dataclass(frozen=True)
class StackBundle:
    """A built bundle and the account whose prefix it goes under."""

    stack: str
    account_id: str
    path: Path


@dataclass(frozen=True)
class Published:
    """One object: ``status`` is ``uploaded`` (``version_id`` the new version) or ``unchanged``
    (``version_id`` the current one, which already had the same content hash)."""

    name: str  # stack name, or "provider hashicorp/aws <version>"
    key: str
    status: str
    version_id: str | None
    content_sha256: str


def stack_bundles_of(
    targets: Iterable[Any], bundles_dir: Path, stacks: Sequence[str] | None = None
) -> list[StackBundle]:
    """Pair each stack target (:func:`silolake.catalog.topology.stack_targets`: ``name``,
    ``account_id``) with its ``bundles_dir/<stack>/bundle.zip``.

    Stacks without a bundle are skipped unless named in ``stacks``; a named stack the
    catalog does not deploy, or one without a bundle, is a :class:`PublishError`."""
    by_name = {t.name: t for t in targets}
    wanted = list(stacks) if stacks else sorted(by_name)
    problems = [f"no stack named '{s}' in the catalog" for s in wanted if s not in by_name]
    out = []
    for name in wanted:
        if name not in by_name:
            continue
        path = Path(bundles_dir) / name / "bundle.zip"
        if path.is_file():
            out.append(StackBundle(name, by_name[name].account_id, path))
        elif stacks:
            problems.append(f"{path}: no bundle (run `silolake bundle` first)")
    if not out and not problems:
        problems.append(f"{bundles_dir}: no stack bundle (run `silolake bundle` first)")
    if problems:
        raise PublishError("; ".join(problems))
    return out


def _current(s3: Any, bucket: str, key: str) -> tuple[str | None, str | None]:
    """(content-sha256 metadata, version id) of the current object, or (None, None) if absent."""
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None, None
        raise
    return head.get("Metadata", {}).get(CONTENT_SHA256), head.get("VersionId")


def _put(
    s3: Any, bucket: str, key: str, name: str, body: bytes, content: str, metadata: dict[str, str], only_changed: bool
) -> Published:
    if only_changed:
        current, version = _current(s3, bucket, key)
        if current == content:
            return Published(name, key, "unchanged", version, content)
    resp = s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/zip",
        ChecksumAlgorithm="SHA256",  # S3 verifies the bytes it stored
        Metadata={CONTENT_SHA256: content, **metadata},
    )
    if not resp.get("VersionId"):
        raise PublishError(f"bucket {bucket} is not versioned: {key} would overwrite its only copy")
    return Published(name, key, "uploaded", resp["VersionId"], content)


def publish_bundles(
    s3: Any,
    bucket: str,
    bundles: Sequence[StackBundle],
    *,
    only_changed: bool = False,
    on_published: Callable[[Published], None] | None = None,
) -> list[Published]:
    """Upload every bundle (after checking it against its manifest) to its stack bundle key.

    ``s3`` is a boto3 S3 client holding the publisher's credentials. Raises
    :class:`PublishError` for a bundle that fails :func:`stack_bundles.verify` (then nothing
    is uploaded) or an unversioned bucket."""
    manifests = []
    for b in bundles:  # every bundle is checked before anything is uploaded
        try:
            manifests.append(stack_bundles.verify(b.path, stack=b.stack))
        except stack_bundles.BundleError as exc:
            raise PublishError(str(exc)) from None
    done = []
    for b, manifest in zip(bundles, manifests, strict=True):
        key = delivery_names.stack_bundle_key(b.account_id, b.stack)
        result = _put(
            s3,
            bucket,
            key,
            b.stack,
            b.path.read_bytes(),
            manifest["content_sha256"],
            {COMMIT: str(manifest.get("commit", ""))},
            only_changed,
        )
        done.append(result)
        if on_published:
            on_published(result)
    return done


# --- the provider mirror ------------------------------------------------------------------------

_PROVIDER_ZIP = re.compile(r"^terraform-provider-aws_(?P<version>[^_]+)_(?P<platform>[a-z0-9]+_[a-z0-9]+)\.zip$")


def package_hash_v1(zip_bytes: bytes) -> str:
    """Terraform's ``h1:`` hash of a provider package zip (what ``terraform providers mirror``
    records in ``<version>.json`` and ``.terraform.lock.hcl`` holds): Go's
    ``dirhash.HashZip(..., dirhash.Hash1)``, i.e. base64 of the sha256 of the lines
    ``"<sha256 hex>  <name>\\n"`` of every zip entry, sorted by name."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        lines = "".join(f"{hashlib.sha256(zf.read(n)).hexdigest()}  {n}\n" for n in sorted(zf.namelist()))
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def mirror_files(
    mirror_dir: Path, version: str = AWS_PROVIDER_VERSION, platform: str = MIRROR_PLATFORM
) -> dict[str, bytes]:
    """The files of a ``terraform providers mirror`` tree that make up ``hashicorp/aws``
    ``version`` for ``platform``: relative path -> bytes, sorted by path.

    Checks the layout of Terraform's network/packed mirror format
    (https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol):
    ``index.json`` listing ``version``; ``<version>.json`` whose ``archives[platform].url``
    names a provider zip present beside it and whose ``hashes`` include that zip's ``h1:``
    (:func:`package_hash_v1`) or ``zh:`` hash. Providers or platforms other than the pinned
    one are left out (a silo build needs only this one). Raises :class:`MirrorError` listing every problem."""
    root = Path(mirror_dir) / _REGISTRY_DIR
    problems: list[str] = []
    index_path, version_path = root / "index.json", root / f"{version}.json"
    for path in (index_path, version_path):
        if not path.is_file():
            problems.append(f"{path}: missing (run `terraform providers mirror -platform={platform} {mirror_dir}`)")
    if problems:
        raise MirrorError("; ".join(problems))
    try:
        index, listing = json.loads(index_path.read_bytes()), json.loads(version_path.read_bytes())
    except ValueError as exc:
        raise MirrorError(f"{root}: not JSON: {exc}") from None
    if version not in (index.get("versions") or {}):
        problems.append(f"{index_path}: does not list version {version}")
    archive = (listing.get("archives") or {}).get(platform) or {}
    url = archive.get("url", "")
    m = _PROVIDER_ZIP.match(url)
    if not m or m["version"] != version or m["platform"] != platform:
        raise MirrorError("; ".join([*problems, f"{version_path}: no {platform} archive of version {version}"]))
    zip_path = root / url
    if not zip_path.is_file():
        raise MirrorError("; ".join([*problems, f"{zip_path}: missing"]))
    data = zip_path.read_bytes()
    recorded = set(archive.get("hashes") or [])
    if not recorded & {package_hash_v1(data), f"zh:{hashlib.sha256(data).hexdigest()}"}:
        problems.append(f"{zip_path}: matches none of the hashes {version_path.name} records {sorted(recorded)}")
    if problems:
        raise MirrorError("; ".join(problems))
    # Only the pinned version and platform: a mirror holding others still yields the same zip.
    index_doc: dict[str, dict[str, dict]] = {"versions": {version: {}}}
    listing_doc = {"archives": {platform: archive}}
    return {
        f"{_REGISTRY_DIR}/{version}.json": (json.dumps(listing_doc, indent=2, sort_keys=True) + "\n").encode(),
        f"{_REGISTRY_DIR}/index.json": (json.dumps(index_doc, indent=2, sort_keys=True) + "\n").encode(),
        f"{_REGISTRY_DIR}/{url}": data,
    }


def mirror_zip(
    mirror_dir: Path, dest: Path, version: str = AWS_PROVIDER_VERSION, platform: str = MIRROR_PLATFORM
) -> str:
    """Write the mirror of ``version``/``platform`` as a reproducible zip at ``dest``; return
    its content hash (sha256 over the sorted per-file hashes, as stack bundles do)."""
    files = mirror_files(mirror_dir, version, platform)
    stack_bundles.write_zip(Path(dest), files)
    return hashlib.sha256(
        json.dumps({n: hashlib.sha256(d).hexdigest() for n, d in files.items()}, sort_keys=True).encode()
    ).hexdigest()


def publish_mirror(
    s3: Any,
    bucket: str,
    mirror_dir: Path,
    *,
    work_dir: Path,
    version: str = AWS_PROVIDER_VERSION,
    platform: str = MIRROR_PLATFORM,
    only_changed: bool = False,
) -> Published:
    """Zip the mirror tree and upload it to :func:`silolake.aws.delivery_names.provider_mirror_key`."""
    dest = Path(work_dir) / f"{platform}.zip"
    content = mirror_zip(mirror_dir, dest, version, platform)
    key = delivery_names.provider_mirror_key(version, platform)
    return _put(s3, bucket, key, f"provider hashicorp/aws {version}", dest.read_bytes(), content, {}, only_changed)


# --- the silolake wheel ---------------------------------------------------------------------------

_WHEEL = re.compile(r"^silolake-(?P<version>[^-]+)-py3-none-any\.whl$")


def publish_wheel(s3: Any, bucket: str, wheel: Path, *, commit: str, only_changed: bool = False) -> Published:
    """Upload a silolake wheel (``pip wheel --no-deps .`` of ``commit``) to
    :func:`silolake.aws.delivery_names.silolake_wheel_key`.

    Raises :class:`PublishError` for a file that is not a pure-Python silolake wheel
    (``silolake-<version>-py3-none-any.whl`` holding ``silolake/__init__.py`` and the
    matching ``.dist-info/METADATA``), a revision :func:`stack_bundles.check_revision` refuses, or an
    unversioned bucket."""
    wheel = Path(wheel)
    m = _WHEEL.match(wheel.name)
    if not m:
        raise PublishError(f"{wheel}: not a silolake wheel (expected silolake-<version>-py3-none-any.whl)")
    try:
        stack_bundles.check_revision(commit)
    except stack_bundles.BundleError as exc:
        raise PublishError(str(exc)) from None
    body = wheel.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            entries = set(z.namelist())
            metadata = z.read(f"silolake-{m['version']}.dist-info/METADATA").decode()
    except (zipfile.BadZipFile, KeyError) as exc:
        raise PublishError(f"{wheel}: not a readable wheel ({exc})") from None
    if "silolake/__init__.py" not in entries or f"Version: {m['version']}\n" not in metadata:
        raise PublishError(f"{wheel}: the wheel does not hold silolake {m['version']}")
    key = delivery_names.silolake_wheel_key(commit)
    content = hashlib.sha256(body).hexdigest()
    return _put(s3, bucket, key, f"silolake {m['version']}", body, content, {COMMIT: commit}, only_changed)
