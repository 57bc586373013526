"""Deployment bundles: a content-hash manifest, publishing, and verification before deploy.

A *bundle* is a directory of files (Glue job scripts, Lambda zips, configuration) that a
silo's pipeline deploys. Bundles live in the central artifacts bucket under the silo
account's own prefix, ``bundles/<account id>/<bundle>/`` (:func:`silolake.names.bundle_prefix`);
the bucket policy lets a silo pipeline read only its own account's prefix and lets no
one but the publisher write (:func:`silolake.policy.sharing.artifacts_bucket_statements`).

Integrity, end to end:

1. :func:`publish` uploads every file, then a ``manifest.json`` listing each file's
   relative path, size, SHA-256 and the S3 *version id* it was stored as. It returns
   the manifest's version id and its SHA-256 (the bundle's *digest*): the publisher
   records both where the deploy reads them (the release record of the pipeline).
2. :func:`fetch_verified` (run by the deploy, before anything is applied) reads the
   manifest *at that version id*, refuses it unless its SHA-256 equals the recorded
   digest and it names the expected account and bundle, then downloads every file at
   the version the manifest lists and refuses the bundle on any size or hash mismatch.

So a later overwrite of a key (which versioning keeps as a new version) changes nothing
a pinned deploy runs, and a changed manifest no longer matches the recorded digest. The
digest is the trust anchor: it must travel by a channel the artifacts bucket's writers
do not control (CI's release record), which is the operator's part (docs/security.md).

Manifest format (``FORMAT`` 1), canonical JSON (sorted keys, no whitespace)::

    {"format": 1, "account_id": "444444444444", "bundle": "etl",
     "files": [{"path": "jobs/orders.py", "sha256": "<hex>", "size": 1234, "version_id": "..."}]}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import names

FORMAT = 1
MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20
_BUNDLE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BundleError(Exception):
    """A bundle failed verification; ``problems`` lists every reason (one line each)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative, POSIX separators, no "..", no leading "/"
    sha256: str  # lowercase hex
    size: int  # bytes
    version_id: str | None = None  # S3 version the file was published as


@dataclass(frozen=True)
class Manifest:
    account_id: str
    bundle: str
    files: tuple[FileEntry, ...]

    def to_json(self) -> bytes:
        """Canonical bytes: the same manifest always hashes to the same digest."""
        doc = {
            "format": FORMAT,
            "account_id": self.account_id,
            "bundle": self.bundle,
            "files": [
                {k: v for k, v in vars(f).items() if v is not None} for f in sorted(self.files, key=lambda f: f.path)
            ],
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Parse and check the structure; :class:`BundleError` on anything unexpected."""
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleError([f"manifest is not JSON: {exc}"]) from None
        problems: list[str] = []
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise BundleError([f"manifest format must be {FORMAT}"])
        account, bundle, files = doc.get("account_id"), doc.get("bundle"), doc.get("files")
        if not isinstance(account, str) or not re.fullmatch(r"[0-9]{12}", account):
            problems.append("manifest account_id must be a 12-digit account id")
        if not isinstance(bundle, str) or not _BUNDLE_NAME.match(bundle):
            problems.append("manifest bundle name is invalid")
        if not isinstance(files, list):
            raise BundleError([*problems, "manifest files must be a list"])
        entries: list[FileEntry] = []
        for i, raw in enumerate(files):
            entry = _entry(raw)
            if isinstance(entry, str):
                problems.append(f"manifest files[{i}]: {entry}")
            else:
                entries.append(entry)
        paths = [e.path for e in entries]
        problems += [f"manifest lists {p!r} twice" for p in sorted({p for p in paths if paths.count(p) > 1})]
        if problems:
            raise BundleError(problems)
        return cls(str(account), str(bundle), tuple(entries))


def _entry(raw: Any) -> FileEntry | str:
    if not isinstance(raw, dict) or set(raw) - {"path", "sha256", "size", "version_id"}:
        return "expected {path, sha256, size[, version_id]}"
    path, sha, size, version = raw.get("path"), raw.get("sha256"), raw.get("size"), raw.get("version_id")
    if not isinstance(path, str) or safe_relative(path) is None:
        return f"unsafe or invalid path {path!r}"
    if not isinstance(sha, str) or not _HEX64.match(sha):
        return "sha256 must be 64 lowercase hex digits"
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "size must be a non-negative integer"
    if version is not None and not isinstance(version, str):
        return "version_id must be a string"
    return FileEntry(path, sha, size, version)


def safe_relative(path: str) -> PurePosixPath | None:
    """``path`` as a relative POSIX path that stays inside the bundle, else ``None``."""
    p = PurePosixPath(path)
    if not path or "\\" in path or p.is_absolute() or any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return p


def sha256_file(path: Path) -> tuple[str, int]:
    """(hex SHA-256, size in bytes) of a file, read in 1 MiB chunks."""
    h, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def bundle_root_key(account_id: str, bundle: str) -> str:
    """``bundles/<account>/<bundle>/``: every key of one bundle starts with this."""
    if not _BUNDLE_NAME.match(bundle):
        raise ValueError(f"invalid bundle name {bundle!r}: lowercase letters, digits, '.', '_', '-'")
    return f"{names.bundle_prefix(account_id)}{bundle}/"


def build_manifest(root: Path, *, account_id: str, bundle: str) -> Manifest:
    """Manifest of every regular file under ``root`` (symlinks are refused, not followed)."""
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BundleError([f"{path.relative_to(root).as_posix()}: symbolic links are not bundled"])
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            if rel == MANIFEST_NAME:
                raise BundleError([f"{MANIFEST_NAME} is reserved for the manifest itself"])
            sha, size = sha256_file(path)
            files.append(FileEntry(rel, sha, size))
    return Manifest(account_id, bundle, tuple(files))


def verify_files(root: Path, manifest: Manifest) -> None:
    """Check a directory holds exactly the manifest's files with their sizes and hashes.

    Raises :class:`BundleError` listing every missing, unexpected, resized or altered file.
    """
    problems = []
    listed = {f.path for f in manifest.files}
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}
    problems += [f"{p}: listed in the manifest but missing" for p in sorted(listed - present)]
    problems += [f"{p}: not in the manifest" for p in sorted(present - listed)]
    for entry in sorted(manifest.files, key=lambda f: f.path):
        path = root / entry.path
        if entry.path not in present:
            continue
        if path.is_symlink():
            problems.append(f"{entry.path}: is a symbolic link")
            continue
        sha, size = sha256_file(path)
        if size != entry.size:
            problems.append(f"{entry.path}: {size} bytes, manifest says {entry.size}")
        elif sha != entry.sha256:
            problems.append(f"{entry.path}: SHA-256 {sha} does not match the manifest's {entry.sha256}")
    if problems:
        raise BundleError(problems)


@dataclass(frozen=True)
class Published:
    manifest_key: str
    version_id: str  # of the manifest object: what the deploy pins
    digest: str  # SHA-256 of the manifest bytes: what the deploy checks


def publish(s3: Any, bucket: str, root: Path, *, account_id: str, bundle: str) -> Published:
    """Upload ``root`` as ``bundle`` for ``account_id`` (run as the publisher role).

    Files go first, each with an S3-verified SHA-256 checksum; the manifest, naming the
    version id of every file, goes last, so a manifest never refers to a file that is
    not there yet. ``s3`` is a boto3 S3 client.
    """
    base = bundle_root_key(account_id, bundle)
    draft = build_manifest(root, account_id=account_id, bundle=bundle)
    entries = []
    for entry in draft.files:
        with (root / entry.path).open("rb") as body:
            resp = s3.put_object(Bucket=bucket, Key=base + entry.path, Body=body, ChecksumAlgorithm="SHA256")
        entries.append(FileEntry(entry.path, entry.sha256, entry.size, resp.get("VersionId")))
    manifest = Manifest(account_id, bundle, tuple(entries))
    resp = s3.put_object(Bucket=bucket, Key=base + MANIFEST_NAME, Body=manifest.to_json(), ChecksumAlgorithm="SHA256")
    if not resp.get("VersionId"):
        raise BundleError([f"bucket {bucket} is not versioned: a bundle could not be pinned"])
    return Published(base + MANIFEST_NAME, resp["VersionId"], manifest.digest)


def fetch_verified(
    s3: Any,
    bucket: str,
    dest: Path,
    *,
    account_id: str,
    bundle: str,
    manifest_version_id: str,
    expected_digest: str,
) -> Manifest:
    """Download a pinned bundle into the empty directory ``dest`` and verify it; run before deploy.

    Raises :class:`BundleError` (nothing may be deployed) when the manifest version's
    SHA-256 is not ``expected_digest``, it names another account or bundle, a file entry
    has no version id, or any downloaded file differs from the manifest.
    """
    base = bundle_root_key(account_id, bundle)
    if dest.exists() and any(dest.iterdir()):
        raise BundleError([f"{dest} is not empty: verification needs a fresh directory"])
    data = s3.get_object(Bucket=bucket, Key=base + MANIFEST_NAME, VersionId=manifest_version_id)["Body"].read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_digest:
        raise BundleError([f"manifest SHA-256 {digest} is not the recorded digest {expected_digest}"])
    manifest = Manifest.from_json(data)
    problems = []
    if manifest.account_id != account_id:
        problems.append(f"manifest is for account {manifest.account_id}, not {account_id}")
    if manifest.bundle != bundle:
        problems.append(f"manifest is for bundle {manifest.bundle!r}, not {bundle!r}")
    problems += [f"{f.path}: no version id in the manifest" for f in manifest.files if not f.version_id]
    if problems:
        raise BundleError(problems)
    for entry in manifest.files:
        target = dest / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        obj = s3.get_object(Bucket=bucket, Key=base + entry.path, VersionId=entry.version_id)
        with target.open("wb") as out:
            for chunk in obj["Body"].iter_chunks(_CHUNK):
                out.write(chunk)
    verify_files(dest, manifest)
    return manifest
