"""Stack bundles: one reproducible zip per synthesized stack, ``<dest>/<stack>/bundle.zip``.

:mod:`silolake.ops.publish` uploads each to the artifacts bucket at
:func:`silolake.names.stack_bundle_key` (``bundles/<account id>/<stack>/bundle.zip``), the
one object that stack's pipeline watches.

A bundle holds everything under the synthesized stack's directory (``cdk.tf.json`` and the
assets cdktf copied beside it: Lambda zips, web assets, Glue scripts) plus a
``manifest.json``::

    {"format": 1, "stack": "silo-sales", "commit": "<git sha>",
     "content_sha256": "<hash of the files, independent of the commit>",
     "files": {"cdk.tf.json": "<sha256>", "assets/...": "<sha256>"}}

The same commit gives byte-identical zips: entries sorted, fixed timestamps (1980-01-01)
and permissions, a fixed compression level, no directory entries. ``content_sha256``
lets the publisher skip uploading a bundle whose contents did not change (a new object
version would start that silo's pipeline for nothing); :func:`verify` refuses a bundle
whose files differ from its manifest, and any entry whose name could leave the directory it
is unzipped into (absolute, ``..``, backslashes: "zip slip").
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BundleError", "Bundle", "build_all", "build_bundle", "read_manifest", "safe_name", "verify", "write_zip"]

FORMAT = 1
MANIFEST = "manifest.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


class BundleError(ValueError):
    """A bundle does not match its manifest, or a stack directory is missing."""


@dataclass(frozen=True)
class Bundle:
    stack: str
    path: Path
    content_sha256: str


def _entry(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix: the permission bits below are meaningful
    info.external_attr = mode << 16
    zf.writestr(info, data, compresslevel=9)


def write_zip(path: Path, entries: dict[str, bytes], *, executable: frozenset[str] = frozenset()) -> None:
    """Write ``entries`` (name -> bytes, in the order given) as a reproducible zip, atomically.

    Fixed timestamps, modes (0644, or 0755 for names in ``executable``) and compression
    level: the same entries always give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in entries.items():
            _entry(zf, name, data, 0o755 if name in executable else 0o644)
    tmp.replace(path)


def safe_name(name: str) -> bool:
    """Whether a zip entry name stays inside the directory it is extracted into."""
    parts = name.split("/")
    return bool(name) and "\\" not in name and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _content_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def build_bundle(stack_dir: Path, dest: Path, *, commit: str) -> Bundle:
    """Zip ``stack_dir`` (a ``cdktf.out/stacks/<stack>`` directory) into ``dest/<stack>/bundle.zip``."""
    stack_dir = Path(stack_dir)
    if not (stack_dir / "cdk.tf.json").is_file():
        raise BundleError(f"{stack_dir}: no cdk.tf.json (not a synthesized stack)")
    paths = sorted(p for p in stack_dir.rglob("*") if p.is_file() and p.name != MANIFEST)
    blobs = {p.relative_to(stack_dir).as_posix(): p.read_bytes() for p in paths}
    files = {name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}
    content = _content_hash(files)
    manifest = {"format": FORMAT, "stack": stack_dir.name, "commit": commit, "content_sha256": content, "files": files}
    out = Path(dest) / stack_dir.name / "bundle.zip"
    write_zip(out, {MANIFEST: (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode(), **blobs})
    return Bundle(stack_dir.name, out, content)


def build_all(out: Path, dest: Path, *, commit: str, stacks: list[str] | None = None) -> list[Bundle]:
    """One bundle per synthesized stack under ``out/stacks`` (or only ``stacks``)."""
    dirs = sorted(p for p in (Path(out) / "stacks").iterdir() if p.is_dir())
    return [build_bundle(d, dest, commit=commit) for d in dirs if stacks is None or d.name in stacks]


def read_manifest(bundle: Path) -> dict:
    """The manifest of a bundle zip, unverified (:func:`verify` checks it against the files)."""
    with zipfile.ZipFile(bundle) as zf:
        try:
            return json.loads(zf.read(MANIFEST))
        except KeyError:
            raise BundleError(f"{bundle}: no {MANIFEST}") from None


def verify(bundle: Path, *, stack: str | None = None, commit: str | None = None) -> dict:
    """Check every file of ``bundle`` against its manifest; return the manifest.

    Raises :class:`BundleError` on a missing, extra or altered file, a wrong stack or commit."""
    with zipfile.ZipFile(bundle) as zf:
        unsafe = sorted(n for n in zf.namelist() if not safe_name(n))
        if unsafe:
            raise BundleError(f"{bundle}: entries that would leave the extraction directory: {unsafe}")
        try:
            manifest = json.loads(zf.read(MANIFEST))
        except KeyError:
            raise BundleError(f"{bundle}: no {MANIFEST}") from None
        names = {n for n in zf.namelist() if n != MANIFEST}
        listed = manifest.get("files", {})
        if names != set(listed):
            raise BundleError(f"{bundle}: files differ from the manifest: {sorted(names ^ set(listed))}")
        for name in sorted(names):
            if hashlib.sha256(zf.read(name)).hexdigest() != listed[name]:
                raise BundleError(f"{bundle}: {name} does not match its manifest hash")
    if manifest.get("content_sha256") != _content_hash(listed):
        raise BundleError(f"{bundle}: content_sha256 does not match the file hashes")
    if stack is not None and manifest.get("stack") != stack:
        raise BundleError(f"{bundle}: bundle of stack {manifest.get('stack')!r}, expected {stack!r}")
    if commit is not None and manifest.get("commit") != commit:
        raise BundleError(f"{bundle}: built from {manifest.get('commit')!r}, expected {commit!r}")
    return manifest
