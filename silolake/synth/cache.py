"""Per-stack synth cache: a stack whose inputs did not change is copied, not synthesized.

An entry is addressed by a sha256 **key** over everything that can change a stack's
synthesized output (:class:`KeyInputs`):

- the stack's name and kind (``org`` and ``datalake`` share one catalog projection);
- its catalog projection, :func:`silolake.catalog.topology.stack_inputs` (the same text
  ``silolake affected`` compares; it never misses an input, ``tests/delivery/test_affected.py``);
- the accounts lock file's bytes (organization and OU ids);
- the framework's code and runtime assets: every file of the installed ``silolake``
  package (Lambda code, Glue jobs, pages, buildspecs, the synth lock), byte for byte;
- the engine: its name, the installed versions of its distributions and Python's;
- the environment variables the engine or the framework read while synthesizing
  (:data:`ENVIRONMENT`);
- the bytes of every user file the stack packages (custom Glue jobs under ``glue_src/``).

Layout (one directory per entry, moved in with one ``rename``, so a reader never sees
half an entry and concurrent writers of one key keep whichever came first)::

    <cache>/<key[:2]>/<key>/entry.json     {"format", "name", "entry", "version", "by_type", "files": {path: sha256}}
    <cache>/<key[:2]>/<key>/stack/...      the stack's directory as synthesized

A hit checks every file against ``files`` before use; an entry that does not match
(a truncated copy, a disk fault, a hand edit) is a miss and is replaced. The cache never
decides what is synthesized, only whether the engine must run for it: its output is
byte-identical to an uncached synth (``tests/synth/test_cache.py``). Sharing the
directory between CI runs is safe (entries are immutable and self-checking):
docs/engine.md shows GitHub Actions and CodeBuild settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..catalog.lock import lock_path_for
from ..catalog.model import Catalog
from ..catalog.topology import stack_inputs, stack_targets

#: Bumped when the entry layout or the key's composition changes: older entries become misses.
CACHE_FORMAT = 1
#: The default cache directory's name inside the synth output directory.
DEFAULT_DIR = ".synth-cache"
#: Environment variables read while synthesizing that may change the output: the engine's
#: (``SYNTH_HCL_OUTPUT``, context JSON, target stack, the Terraform binary name, whether
#: creation stacks are recorded) and the lazy provider load. ``SILOLAKE_ENGINE`` is not here:
#: :func:`engine_identity` keys the engine it selects, so unset and ``cdktn`` share entries.
ENVIRONMENT = (
    "SILOLAKE_EAGER_PROVIDER",
    "CDKTF_CONTEXT_JSON",
    "CDKTF_TARGET_STACK_ID",
    "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS",
    "CDKTN_DISABLE_CREATION_STACK",
    "SYNTH_HCL_OUTPUT",
    "TERRAFORM_BINARY_NAME",
)
#: Distributions whose installed version is part of the key, per engine.
ENGINE_DISTRIBUTIONS = {
    "cdktn": ("cdktn", "cdktn-provider-aws", "constructs", "jsii"),
    "cdktf": ("cdktf", "cdktf-cdktf-provider-aws", "constructs", "jsii"),
}
_PACKAGE_ROOT = Path(__file__).resolve().parent
#: Package content that is not the framework: bytecode and the IAM engine's npm install (tests only).
_NOT_FRAMEWORK = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class KeyInputs:
    """Everything a stack's key is made of; each field is text or a sha256 hex digest."""

    name: str
    kind: str
    projection: str
    accounts_lock: str
    framework: str
    engine: str
    environment: str
    packaged_files: str

    def key(self) -> str:
        """The entry's address: sha256 hex of the fields (and :data:`CACHE_FORMAT`) as JSON."""
        fields = {"format": CACHE_FORMAT, **dataclasses.asdict(self)}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_digest(root: Path, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """sha256 over the relative paths and bytes of every file under ``root`` (sorted), leaving out
    directories named in ``skip`` and ``*.pyc``."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for filename in sorted(filenames):
            if filename.endswith(".pyc"):
                continue
            path = Path(dirpath, filename)
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@cache
def framework_digest(root: Path = _PACKAGE_ROOT) -> str:
    """Digest of the installed ``silolake`` package: code and runtime assets (computed once a process)."""
    return tree_digest(root, _NOT_FRAMEWORK)


def engine_identity(engine: str | None = None) -> str:
    """``"<engine> <dist>==<version> ... python==<major.minor>"`` without importing the engine."""
    from ..engine.env import selected_engine

    name = engine or selected_engine()
    versions = []
    for dist in ENGINE_DISTRIBUTIONS[name]:
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    return " ".join([name, *versions, f"python=={'.'.join(platform.python_version_tuple()[:2])}"])


def environment_identity(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """The :data:`ENVIRONMENT` variables' values (unset ones omitted), as JSON."""
    env = os.environ if environ is None else environ
    return json.dumps({k: env[k] for k in ENVIRONMENT if k in env}, sort_keys=True)


def packaged_files(catalog: Catalog, name: str) -> str:
    """JSON ``[[path, sha256], ...]`` of the user files stack ``name`` packages (custom Glue jobs)."""
    files = []
    for silo in catalog.deployable_silos:
        if silo.stack_name == name:
            for flow in silo.flows:
                if flow.custom_job:
                    path = catalog.base_dir / flow.job
                    files.append([flow.job, _sha256(path.read_bytes()) if path.is_file() else "missing"])
    return json.dumps(sorted(files))


def key_inputs(catalog: Catalog, names: list[str] | None = None) -> dict[str, KeyInputs]:
    """``{stack name: KeyInputs}`` for ``names`` (default: every stack of ``catalog``)."""
    projections = stack_inputs(catalog)
    lock = lock_path_for(catalog.source)
    lock_digest = _sha256(lock.read_bytes()) if lock.is_file() else "missing"
    framework, engine, environment = framework_digest(), engine_identity(), environment_identity()
    return {
        t.name: KeyInputs(
            t.name,
            t.kind,
            _sha256(projections[t.name].encode()),
            lock_digest,
            framework,
            engine,
            environment,
            packaged_files(catalog, t.name),
        )
        for t in stack_targets(catalog)
        if names is None or t.name in names
    }


def default_cache_dir(out: Path | str) -> Path:
    """The cache directory a synth into ``out`` uses unless told otherwise: ``out/.synth-cache``
    (a full synth, which replaces ``out``, carries it over)."""
    return Path(out) / DEFAULT_DIR


def _file_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sha256(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


class SynthCache:
    """A cache directory: :meth:`fetch` a stack into staging on a hit, :meth:`store` after a synth.

    Counters ``hits``/``misses``/``stored`` say what one synth did; :meth:`prune` removes
    the entries that synth neither used nor stored (a full synth keeps the cache at one
    catalog's size)."""

    def __init__(self, root: Path | str) -> None:
        # The parent resolved, the last part kept: a cache directory that is a symlink (a CI
        # cache mounted inside the output) stays a path inside the output, carried over as such.
        root = Path(root).absolute()
        self.root = root.parent.resolve() / root.name
        self.hits = 0
        self.misses = 0
        self.stored = 0
        self._used: set[str] = set()

    def _entry(self, key: str) -> Path:
        return self.root / key[:2] / key

    def fetch(self, key: str, name: str, dest: Path) -> dict[str, Any] | None:
        """Copy entry ``key`` (stack ``name``) to ``dest``; return its synth result, or ``None`` on a miss."""
        entry = self._entry(key)
        try:
            meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
            valid = meta.get("format") == CACHE_FORMAT and meta.get("name") == name
            if valid and _file_digests(entry / "stack") == meta["files"]:
                shutil.copytree(entry / "stack", dest)
                self.hits += 1
                self._used.add(key)
                return {k: meta[k] for k in ("entry", "version", "by_type")}
        except (OSError, ValueError, KeyError):
            shutil.rmtree(dest, ignore_errors=True)
        self.misses += 1
        return None

    def store(self, key: str, name: str, source: Path, result: dict[str, Any]) -> None:
        """Add stack ``name``'s synthesized directory ``source`` under ``key``. A cache that cannot be
        written (full disk, read-only) costs a later synth, never this one: errors are swallowed."""
        entry = self._entry(key)
        self._used.add(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=entry.parent))
            try:
                shutil.copytree(source, tmp / "stack")
                meta = {"format": CACHE_FORMAT, "name": name, **result, "files": _file_digests(tmp / "stack")}
                (tmp / "entry.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
                if entry.exists():  # invalid (fetch refused it) or written meanwhile by another synth
                    shutil.rmtree(entry, ignore_errors=True)
                os.rename(tmp, entry)
                self.stored += 1
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            return

    def prune(self) -> int:
        """Remove every entry (and leftover temporary directory) this synth did not use; return how many."""
        removed = 0
        for shard in self.root.iterdir() if self.root.is_dir() else []:
            if not shard.is_dir():
                continue
            for entry in shard.iterdir():
                if entry.name not in self._used:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed += 1
        return removed
