"""Stack bundles: one reproducible zip per synthesized stack, ``<dest>/<stack>/bundle.zip``.

:mod:`silolake.release.publish` uploads each to the artifacts bucket at
:func:`silolake.aws.delivery_names.stack_bundle_key` (``bundles/<account id>/<stack>/bundle.zip``), the
one object that stack's pipeline watches.

A bundle holds everything under the synthesized stack's directory (``cdk.tf.json`` and the
assets cdktf copied beside it: Lambda zips, web assets, Glue scripts) plus a
``manifest.json``::

    {"format": 1, "stack": "silo-sales", "commit": "<git sha>", "sequence": <commit time, epoch s>,
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
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

__all__ = ["BundleError", "Bundle", "build_all", "build_bundle", "read_manifest", "safe_name", "verify", "write_zip"]

FORMAT = 1
MANIFEST = "manifest.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


class BundleError(UsageError, ValueError):
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


#: A source revision as bundles and the silolake wheel key record it: a git commit, or the S3
#: object version id of an S3-sourced build (no git history there). Safe inside an S3 key.
REVISION = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def check_revision(revision: str) -> str:
    """``revision`` if it matches :data:`REVISION`; raises :class:`BundleError` otherwise."""
    if not REVISION.match(revision):
        raise BundleError(f"revision {revision!r} is not a commit or object version id (1-128 of A-Z a-z 0-9 . _ -)")
    return revision


def _bundled(stack_dir: Path, path: Path) -> bool:
    """Whether a file is what Terraform reads of a synthesized stack: its configuration and the
    assets it references. Anything else there (an in-account override written by ``silolake
    render``, ``.terraform/``, a saved plan or state) is never bundled."""
    rel = path.relative_to(stack_dir).as_posix()
    return path.is_file() and (rel == "cdk.tf.json" or rel.startswith("assets/"))


def _content_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def build_bundle(stack_dir: Path, dest: Path, *, commit: str, sequence: int | None = None) -> Bundle:
    """Zip ``stack_dir`` (a ``cdktf.out/stacks/<stack>`` directory) into ``dest/<stack>/bundle.zip``.

    ``sequence``: a number that grows with every published commit (the master build gives the
    commit's committer time, epoch seconds); a silo pipeline refuses a bundle whose sequence is
    below the one it last applied (docs/delivery.md, "Rollbacks"). Raises :class:`BundleError`
    for a negative one."""
    stack_dir = Path(stack_dir)
    check_revision(commit)
    if sequence is not None and sequence < 0:
        raise BundleError(f"sequence {sequence} is negative")
    if not (stack_dir / "cdk.tf.json").is_file():
        raise BundleError(f"{stack_dir}: no cdk.tf.json (not a synthesized stack)")
    paths = sorted(p for p in stack_dir.rglob("*") if _bundled(stack_dir, p))
    blobs = {p.relative_to(stack_dir).as_posix(): p.read_bytes() for p in paths}
    files = {name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}
    content = _content_hash(files)
    manifest: dict[str, object] = {
        "format": FORMAT,
        "stack": stack_dir.name,
        "commit": commit,
        "content_sha256": content,
        "files": files,
    }
    if sequence is not None:
        manifest["sequence"] = sequence
    out = Path(dest) / stack_dir.name / "bundle.zip"
    write_zip(out, {MANIFEST: (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode(), **blobs})
    return Bundle(stack_dir.name, out, content)


def build_all(
    out: Path, dest: Path, *, commit: str, stacks: list[str] | None = None, sequence: int | None = None
) -> list[Bundle]:
    """One bundle per synthesized stack under ``out/stacks`` (or only ``stacks``).

    Raises :class:`BundleError` for a named stack that was not synthesized, or no stack at all."""
    root = Path(out) / "stacks"
    dirs = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    missing = sorted(set(stacks or ()) - {d.name for d in dirs})
    if missing or not dirs:
        raise BundleError(f"{root}: no synthesized stack {', '.join(missing) or ''} (run `silolake synth` first)")
    return [build_bundle(d, dest, commit=commit, sequence=sequence) for d in dirs if stacks is None or d.name in stacks]


def _manifest(bundle: Path, zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise BundleError(f"{bundle}: no {MANIFEST}") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise BundleError(f"{bundle}: {MANIFEST} is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        raise BundleError(f"{bundle}: {MANIFEST} is not a bundle manifest (an object with a files object)")
    return manifest


def _open(bundle: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{bundle}: not a readable zip ({exc})") from None


def read_manifest(bundle: Path) -> dict:
    """The manifest of a bundle zip, unverified (:func:`verify` checks it against the files)."""
    with _open(bundle) as zf:
        return _manifest(bundle, zf)


def verify(bundle: Path, *, stack: str | None = None, commit: str | None = None) -> dict:
    """Check every file of ``bundle`` against its manifest; return the manifest.

    Raises :class:`BundleError` on a missing, extra or altered file, a wrong stack or commit."""
    with _open(bundle) as zf:
        unsafe = sorted(n for n in zf.namelist() if not safe_name(n))
        if unsafe:
            raise BundleError(f"{bundle}: entries that would leave the extraction directory: {unsafe}")
        manifest = _manifest(bundle, zf)
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
