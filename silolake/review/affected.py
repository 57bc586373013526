"""``silolake affected --base REF``: the stacks whose synthesized Terraform a change alters.

A pull request that touches one silo of a thousand must plan one stack, so the answer
is the set of stacks whose *synthesized output* differs from the base's: a content hash
per stack directory (every file, ``cdk.tf.json`` and assets alike; nothing Terraform would
read is ignored). Synthesizing everything twice would cost minutes at scale, so:

1. **Candidates from the catalog.** Each stack's *inputs* are a projection of the catalog
   model (:func:`stack_inputs`): everything catalog-wide (organization, central accounts,
   org layout from the lock file, any future top-level field) for every stack; the silo
   itself, its readers and its custom job scripts for ``silo-<name>``; the consumer and
   the identity of the silos it reads for ``analytics-<name>``; the silos' accounts for
   ``org`` and ``datalake``. A stack is a candidate when its inputs differ. A YAML comment
   or a reordering that changes no value yields no candidate and no synth at all.
2. **Candidates from the framework.** When the base and the working tree differ in
   framework code (:data:`FRAMEWORK_PATHS`), every stack is a candidate, and the base is
   synthesized by the *base's own code* (exported with ``git archive``, run in a
   subprocess), since the same catalog may now produce different Terraform.
3. **Hashes decide.** Only candidates are synthesized, base and head, per stack
   (``synthesize(..., stacks=[...])``); a candidate whose hashes match is not affected.

Projections may over-approximate (step 3 removes false candidates); they must never miss
an input. ``tests/delivery/test_affected.py`` checks them against full synths.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import CatalogError, load_catalog
from ..catalog.model import Catalog
from ..catalog.topology import stack_inputs, stack_targets
from ..errors import UsageError

__all__ = [
    "FRAMEWORK_PATHS",
    "Affected",
    "AffectedError",
    "Comparison",
    "affected",
    "comparison",
    "stack_hashes",
    "stack_inputs",
    "synth_in_process",
]

#: Repository paths whose change may alter what any catalog synthesizes to.
FRAMEWORK_PATHS = (
    "silolake/",  # with its runtime assets (silolake/runtime/: Lambda code, Glue jobs, pages, buildspecs)
    "delivery/",
    "pyproject.toml",
    "cdktf.json",
    "package.json",
    "package-lock.json",
    "main.py",
)


class AffectedError(UsageError, RuntimeError):
    """The base could not be read or synthesized (bad ref, not a git checkout, base synth failed)."""


@dataclass
class Affected:
    """``stacks``: head stacks whose output differs from the base's (or that are new), in wave
    order; ``removed``: stacks the base had and the head no longer has; ``candidates``: what
    was synthesized; ``framework_changed``: whether framework code differs from the base."""

    stacks: list[str]
    removed: list[str]
    candidates: list[str]
    framework_changed: bool
    reasons: dict[str, str] = field(default_factory=dict)


def stack_hashes(out: Path, names: Sequence[str] | None = None) -> dict[str, str]:
    """sha256 of every file under ``out/stacks/<name>/`` (relative paths and bytes, sorted)."""
    root = Path(out) / "stacks"
    hashes = {}
    for stack_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if names is not None and stack_dir.name not in names:
            continue
        h = hashlib.sha256()
        for path in sorted(p for p in stack_dir.rglob("*") if p.is_file()):
            h.update(path.relative_to(stack_dir).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        hashes[stack_dir.name] = h.hexdigest()
    return hashes


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:  # no git on PATH: the base cannot be read at all
        raise AffectedError(
            f"git is not installed or not on PATH ({exc.strerror}): the base revision cannot be read"
        ) from exc
    if proc.returncode != 0:
        raise AffectedError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _export(base: str, root: Path, dest: Path) -> None:
    """The base revision's tree, extracted into ``dest`` (``git archive``)."""
    data = _git(["archive", "--format=tar", base], root)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")


def _framework_changed(base: str, root: Path) -> bool:
    changed = _git(["diff", "--name-only", base, "--", *FRAMEWORK_PATHS], root).decode().split()
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--", *FRAMEWORK_PATHS], root).decode().split()
    return bool(changed or untracked)


Synth = Callable[[Catalog, Path, list[str]], None]


def synth_in_process(catalog: Catalog, out: Path, stacks: list[str], cache_dir: Path | None = None) -> None:
    """Synthesize ``stacks`` of ``catalog`` into ``out`` with this process's framework code
    (through the synth cache in ``cache_dir`` when given)."""
    from ..synth.app import synthesize  # heavy: imports cdktf
    from ..synth.cache import SynthCache

    synthesize(catalog, out, stacks=stacks, cache=SynthCache(cache_dir) if cache_dir else None)


def _synth_with_base_code(tree: Path, catalog_rel: Path, out: Path) -> None:
    """Synthesize the base catalog with the base's own framework code (a subprocess)."""
    # CHECKPOINT_DISABLE: older framework code ran `terraform version` during synth.
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1", CHECKPOINT_DISABLE="1")
    cmd = [sys.executable, "-m", "silolake", "synth", str(catalog_rel), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AffectedError(f"synth of the base failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")


@dataclass
class Comparison:
    """Base and head of one change, synthesized on demand into ``base_out`` / ``head_out``.

    ``base`` is the base catalog loaded with today's code (``None`` when it has no catalog
    or no longer loads); with ``framework_changed`` the base was synthesized whole by its
    own code on entry."""

    head: Catalog
    base: Catalog | None
    base_out: Path
    head_out: Path
    framework_changed: bool
    base_exists: bool
    synth: Synth
    _done: dict[str, set[str]] = field(default_factory=lambda: {"base": set(), "head": set()})

    @property
    def head_stacks(self) -> list[str]:
        return [t.name for t in stack_targets(self.head)]

    @property
    def base_stacks(self) -> list[str]:
        if self.framework_changed:
            return sorted(stack_hashes(self.base_out))
        return [t.name for t in stack_targets(self.base)] if self.base else []

    def ensure(self, names: Sequence[str]) -> None:
        """Synthesize whichever of ``names`` each side has and has not synthesized yet."""
        head = [n for n in self.head_stacks if n in names and n not in self._done["head"]]
        if head:
            self.synth(self.head, self.head_out, head)
            self._done["head"].update(head)
        if self.base is None or self.framework_changed:
            return
        base = [n for n in self.base_stacks if n in names and n not in self._done["base"]]
        if base:
            self.synth(self.base, self.base_out, base)
            self._done["base"].update(base)

    def affected(self) -> Affected:
        order = self.head_stacks
        if not self.base_exists:
            return Affected(order, [], order, self.framework_changed, {n: "no catalog at the base" for n in order})
        if self.framework_changed or self.base is None:
            candidates, reasons = order, {n: "framework code changed" for n in order}
        else:
            old, new = stack_inputs(self.base), stack_inputs(self.head)
            candidates = [n for n in order if old.get(n) != new[n]]
            reasons = {n: "new stack" if n not in old else "catalog inputs changed" for n in candidates}
        self.ensure(candidates)
        base_hashes = stack_hashes(self.base_out, None if self.framework_changed else candidates)
        head_hashes = stack_hashes(self.head_out, candidates)
        changed = [n for n in candidates if head_hashes.get(n) != base_hashes.get(n)]
        removed = sorted(set(self.base_stacks) - set(order))
        return Affected(changed, removed, candidates, self.framework_changed, {n: reasons[n] for n in changed})


@contextmanager
def comparison(
    catalog_path: Path,
    base: str,
    *,
    head_out: Path | None = None,
    synth: Synth = synth_in_process,
    cache_dir: Path | None = None,
) -> Iterator[Comparison]:
    """Open the working tree's catalog (and code) against revision ``base``; scratch files
    are removed on exit. ``cache_dir``: the synth cache both sides use (the default ``synth``
    only; a base synthesized by its own code never uses it). Raises :class:`AffectedError`
    (bad ref, base synth failure) and :class:`~silolake.catalog.CatalogError` (the head
    catalog is invalid)."""
    if cache_dir is not None and synth is synth_in_process:
        synth = functools.partial(synth_in_process, cache_dir=Path(cache_dir))
    catalog_path = Path(catalog_path).resolve()
    head = load_catalog(catalog_path)
    root = Path(_git(["rev-parse", "--show-toplevel"], catalog_path.parent).decode().strip())
    catalog_rel = catalog_path.relative_to(root)
    with tempfile.TemporaryDirectory(prefix="silolake-affected-") as tmp:
        work = Path(tmp)
        tree = work / "base"
        _export(base, root, tree)
        framework = _framework_changed(base, root)
        exists = (tree / catalog_rel).is_file()
        base_catalog: Catalog | None = None
        if exists:
            try:
                base_catalog = load_catalog(tree / catalog_rel)
            except CatalogError:
                framework = True  # the base no longer loads with today's code: compare both codes' outputs
        if framework and exists:
            _synth_with_base_code(tree, catalog_rel, work / "base-out")
        yield Comparison(
            head,
            base_catalog,
            work / "base-out",
            Path(head_out) if head_out else work / "head",
            framework,
            exists,
            synth,
        )


def affected(
    catalog_path: Path,
    base: str,
    *,
    head_out: Path | None = None,
    synth: Synth = synth_in_process,
    cache_dir: Path | None = None,
) -> Affected:
    """The stacks a change of the working tree against revision ``base`` affects.

    ``head_out``: where the head's synthesized candidates go (a scratch directory if
    ``None``); CI plans from there without synthesizing again. ``cache_dir``: the synth
    cache (:mod:`silolake.synth.cache`). Errors: see :func:`comparison`."""
    with comparison(catalog_path, base, head_out=head_out, synth=synth, cache_dir=cache_dir) as cmp:
        return cmp.affected()
