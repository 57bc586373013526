"""Synthesize a validated catalog into ``cdktf.out``: all stacks, some stacks, in one or N processes.

Layout written (the CDKTF layout ``terraform``, ``cdktf deploy`` and CI read)::

    <out>/manifest.json                       {"version": <engine>, "stacks": {<name>: {...}}}
    <out>/stacks/<name>/cdk.tf.json           one Terraform JSON document per stack
    <out>/stacks/<name>/assets/...            Lambda bundles of that stack

Every stack is synthesized in an ``App`` of its own, so its output depends on nothing but
the stack: the same bytes whether it is built alone (``stacks=["silo-sales"]``), with
all others in one process, or in one of N worker processes (``jobs``). Only the stacks
asked for are constructed, so synth of one stack costs the same for 10 or 10,000 silos
(apart from validating the catalog).

Output is staged next to ``out`` and moved in only once every selected stack
synthesized: a failure, a timeout or SIGTERM never leaves a half-written tree that a
later ``terraform apply`` could pick up, and staging is removed on the way out (a
staging directory left by a killed process is removed by the next synth). A full synth
replaces ``out`` as a whole; a per-stack synth replaces only those stacks' directories
and their manifest entries, leaving every other stack's output as it was.

The engine is imported lazily here: ``silolake validate`` must not pay its start-up,
and with ``jobs > 1`` only the workers import it. With a synth cache
(:mod:`silolake.synth.cache`), a stack whose key has an entry is copied into staging and
the engine starts only when some stack has none; the bytes are the same either way.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog.model import Catalog
from ..catalog.topology import stack_targets
from .cache import SynthCache, key_inputs
from .control import (
    NodeMissing,
    StackSelectionError,
    SynthError,
    SynthInterrupted,
    SynthTimeout,
    alarm,
    sigterm_deferred,
    sigterm_raises,
)
from .one import MANIFEST, StackDone, synth_stack
from .one import make_app as make_app  # re-exported: main.py and callers make their app here

#: Staging directories are ``.<out name>.staging-<pid>-<random>`` beside ``out``.
STAGING_MARK = ".staging-"


def require_node() -> None:
    """Raise :class:`NodeMissing` before the engine starts when it has no Node.js to start:
    otherwise jsii fails inside its import with a traceback."""
    if not (os.environ.get("JSII_NODE") or shutil.which("node")):
        raise NodeMissing(
            "synth needs Node.js 20 on PATH (the engine's core runs in it; JSII_NODE may name the binary)"
        )


@dataclass(frozen=True)
class StackSummary:
    name: str
    path: Path
    resources: int
    by_type: dict[str, int]


def synth_into(app, catalog: Catalog) -> list[str]:
    """Build every stack of ``catalog`` into ``app`` and synthesize it (the CDKTF CLI path, ``main.py``)."""
    from ..stacks import build_app

    names = build_app(app, catalog)
    app.synth()
    return names


def select_stacks(catalog: Catalog, patterns: Sequence[str] | None) -> list[str]:
    """Stack names of ``catalog`` (deploy order) matching any of ``patterns`` (names or globs such as ``silo-*``).

    ``None`` selects every stack. Raises :class:`SynthError` naming each pattern that matches
    no stack (a silo without an account yet has no stack to match)."""
    names = [t.name for t in stack_targets(catalog)]
    if patterns is None:
        return names
    unmatched = [p for p in patterns if not fnmatch.filter(names, p)]
    if unmatched:
        pending = {s.stack_name for s in catalog.pending_silos}
        reasons = [
            f"{p!r}: silo has no account yet (apply org, then run `silolake bootstrap`)"
            if p in pending
            else f"{p!r}: no such stack"
            for p in unmatched
        ]
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise StackSelectionError(f"{'; '.join(reasons)} (stacks: {shown}; `silolake stacks` lists all)")
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def synthesize(
    catalog: Catalog,
    out: Path | str,
    *,
    stacks: Sequence[str] | None = None,
    jobs: int = 1,
    timeout: float | None = None,
    on_stack: Callable[[StackDone], None] | None = None,
    worker_memory_mb: int | None = None,
    cache: SynthCache | None = None,
) -> list[StackSummary]:
    """Synthesize ``catalog`` into ``out``; return one summary per synthesized stack (deploy order).

    ``stacks``: names or globs (``silo-*``); only those stacks are constructed and written,
    the rest of ``out`` stays as it was. ``None`` synthesizes every stack and replaces ``out``.
    ``jobs``: worker processes (each pays the engine start-up once, then builds stacks warm;
    a worker whose memory, Python plus its Node.js child, passes ``worker_memory_mb``
    (default ``SILOLAKE_SYNTH_WORKER_MB`` or 1,100) is replaced after its current stack).
    ``1`` builds in this process. The output is byte-identical for every ``jobs``.
    ``timeout``: seconds for the whole synth. ``on_stack`` is called as each stack finishes.
    ``cache``: stacks whose key (:mod:`silolake.synth.cache`) has an entry are copied from it
    and the engine starts only for the others, which are stored; a full synth then prunes
    the entries it did not use. The output is the same bytes with or without a cache.

    Raises :class:`SynthError` (unknown stack, a stack failed, :class:`SynthTimeout`,
    :class:`SynthInterrupted` on SIGTERM); ``out`` is then untouched and staging removed.
    """
    require_node()
    selected = select_stacks(catalog, stacks)
    if jobs < 1:
        raise SynthError(f"jobs must be at least 1, not {jobs}")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGING_MARK}{os.getpid()}-", dir=out.parent))
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        (staging / "stacks").mkdir()
        keys = {n: k.key() for n, k in key_inputs(catalog, selected).items()} if cache else {}
        results = _fetch_cached(cache, keys, selected, staging, on_stack)
        missing = [n for n in selected if n not in results]
        relay = _renumbered(on_stack, len(results), len(selected))
        with sigterm_raises():
            if missing and (jobs == 1 or len(missing) == 1):
                try:
                    results |= _synth_here(catalog, missing, staging, deadline, relay)
                except (SynthTimeout, SynthInterrupted):
                    _stop_engine_here()
                    raise
            elif missing:
                from .pool import synth_in_workers

                budget = worker_memory_mb or int(os.environ.get("SILOLAKE_SYNTH_WORKER_MB", "1100"))
                results |= synth_in_workers(
                    catalog, missing, staging, jobs=jobs, deadline=deadline, on_stack=relay, memory_mb=budget
                )
        if cache:
            for name in missing:
                cache.store(keys[name], name, staging / "stacks" / name, results[name])
        version = next(iter(results.values()))["version"]
        entries = {name: results[name]["entry"] for name in selected}
        with sigterm_deferred():  # a commit runs to its end: never half the stacks moved
            _commit(
                staging,
                out,
                selected,
                entries,
                version,
                partial=stacks is not None,
                deploy_order=select_stacks(catalog, None),
                keep=_inside(cache.root, out) if cache else None,
            )
        if cache and stacks is None:
            cache.prune()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [
        StackSummary(name, out / "stacks" / name / "cdk.tf.json", sum(by.values()), dict(sorted(by.items())))
        for name in selected
        for by in [results[name]["by_type"]]
    ]


def _fetch_cached(
    cache: SynthCache | None,
    keys: dict[str, str],
    selected: list[str],
    staging: Path,
    on_stack: Callable[[StackDone], None] | None,
) -> dict[str, dict[str, Any]]:
    """Copy every stack of ``selected`` the cache holds into staging; ``{name: synth_stack result}``."""
    results: dict[str, dict[str, Any]] = {}
    for name in selected if cache else []:
        started = time.perf_counter()
        hit = cache.fetch(keys[name], name, staging / "stacks" / name) if cache else None
        if hit is None:
            continue
        results[name] = hit
        if on_stack:
            resources = sum(hit["by_type"].values())
            seconds = time.perf_counter() - started
            on_stack(StackDone(name, len(results), len(selected), resources, seconds, 0, cached=True))
    return results


def _renumbered(
    on_stack: Callable[[StackDone], None] | None, offset: int, total: int
) -> Callable[[StackDone], None] | None:
    """``on_stack`` for the synthesized stacks, counting on after the ``offset`` copied from the cache."""
    if on_stack is None or offset == 0:
        return on_stack
    report = on_stack
    return lambda done: report(dataclasses.replace(done, index=offset + done.index, total=total))


def _inside(path: Path, out: Path) -> Path | None:
    """``path`` relative to ``out`` when it lies inside it (a cache a full synth carries over), else ``None``."""
    return path.relative_to(out) if path.is_relative_to(out) and path != out else None


def _synth_here(
    catalog: Catalog,
    selected: list[str],
    staging: Path,
    deadline: float | None,
    on_stack: Callable[[StackDone], None] | None,
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    with alarm(deadline):
        from ..stacks import stack_builders  # the engine's start-up: inside the time limit

        builders = stack_builders(catalog)
        for index, name in enumerate(selected, 1):
            started = time.perf_counter()
            results[name] = synth_stack(builders[name], name, staging)
            # Checked here too: an alarm landing while the engine runs Python code for it (a
            # callback) is caught by jsii and handed to the engine, which may swallow it.
            if deadline is not None and time.monotonic() >= deadline:
                raise SynthTimeout("synth did not finish in time; nothing written")
            if on_stack:
                resources = sum(results[name]["by_type"].values())
                on_stack(StackDone(name, index, len(selected), resources, time.perf_counter() - started, 0))
    return results


def _stop_engine_here() -> None:
    """Stop this process's engine if it started (see :func:`silolake.engine.cdk.stop_engine`)."""
    import sys

    if "silolake.engine.cdk" in sys.modules:
        from ..engine.cdk import stop_engine

        stop_engine()


def _commit(
    staging: Path,
    out: Path,
    selected: list[str],
    entries: dict[str, Any],
    version: str,
    *,
    partial: bool,
    deploy_order: list[str],
    keep: Path | None = None,
) -> None:
    """Move the staged stacks into ``out``: the whole tree for a full synth, else stack by stack.

    ``keep``: a path inside ``out`` a full synth carries over into the new tree (the synth cache)."""
    if not partial:
        shutil.rmtree(staging / ".work", ignore_errors=True)
        _write_manifest(staging / MANIFEST, version, entries)
        if keep is not None and (out / keep).exists():
            (staging / keep).parent.mkdir(parents=True, exist_ok=True)
            os.replace(out / keep, staging / keep)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGING_MARK}{os.getpid()}-old-", dir=out.parent))
            os.replace(out, trash / "old")
            os.replace(staging, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
        return
    (out / "stacks").mkdir(parents=True, exist_ok=True)
    # Where replaced stacks go until staging is removed; made here, as a synth served wholly
    # from the cache never starts the engine that would otherwise have made it.
    (staging / ".work").mkdir(exist_ok=True)
    kept = {}
    if (out / MANIFEST).exists():
        kept = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("stacks", {})
    # Each stack directory is swapped with one rename; the old one goes to staging (removed after).
    for name in selected:
        target = out / "stacks" / name
        if target.exists():
            os.replace(target, staging / ".work" / f"{name}.old")
        os.replace(staging / "stacks" / name, target)
    merged = {**kept, **entries}
    # Entries in deploy order, as a full synth writes them; stacks the catalog no longer has go last.
    order = {name: i for i, name in enumerate(deploy_order)}
    ranked = sorted(merged.items(), key=lambda kv: order.get(kv[0], len(order)))
    _write_manifest(out / MANIFEST, version, dict(ranked))


def _write_manifest(path: Path, version: str, entries: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": version, "stacks": entries}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove staging directories beside ``out`` whose process is gone (killed with SIGKILL, power loss)."""
    removed = []
    for path in out.parent.glob(f".{out.name}{STAGING_MARK}*"):
        pid = path.name[len(f".{out.name}{STAGING_MARK}") :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def summarize(out: Path, names: list[str]) -> list[StackSummary]:
    """Summaries of stacks already synthesized under ``out`` (the CDKTF CLI path)."""
    summaries = []
    for name in names:
        path = out / "stacks" / name / "cdk.tf.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        by_type = Counter({rtype: len(items) for rtype, items in doc.get("resource", {}).items()})
        summaries.append(StackSummary(name, path, sum(by_type.values()), dict(sorted(by_type.items()))))
    return summaries
