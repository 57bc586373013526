"""Parallel synth: stacks sharded across worker processes that start the engine once and build warm.

The parent never imports the engine. It starts ``jobs`` workers (``spawn``: a fork would
share the engine's Node.js pipe), sends each idle worker the next stack name over its
own pipe and collects results as they come, so a slow stack never holds back the
others. The engine keeps every object a process ever created (jsii frees nothing), so
memory grows with the stacks a worker built: a worker whose RSS, Python plus its
Node.js child, passes the budget retires after its current stack and a fresh one takes
its place. That bounds peak memory per worker at the budget plus one stack, whatever
the catalog size, for the price of one more start-up per retirement.

Every stack is built in an ``App`` of its own (:func:`silolake.synth.one.synth_stack`), so
which worker built it changes nothing in its output.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from ..catalog.model import Catalog
from .control import SynthError, SynthTimeout
from .one import StackDone, synth_stack

#: How long a worker may take to start (import the engine) or to exit before it is killed.
STOP_GRACE_S = 5.0


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (Linux ``/proc``; 0 elsewhere)."""
    total, pending = 0, [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pending.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def worker_main(conn: Connection, catalog: Catalog, staging: str, memory_bytes: int) -> None:
    """Worker loop: receive a stack name (``None`` = stop), synthesize it, report; retire past the budget.

    Messages to the parent: ``("done", name, result, seconds, rss, retiring)`` and ``("failed", name,
    traceback)``; a retiring worker exits right after its message."""
    # Its own process group: the parent stops a worker together with the engine's Node.js
    # processes (one killpg), so nothing writes into staging once the parent removes it.
    os.setpgrp()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from ..stacks import stack_builders  # the engine's start-up, paid once per worker

    builders = stack_builders(catalog)
    gc.freeze()  # the engine's import graph never dies; keep the collector off it
    while True:
        try:
            name = conn.recv()
        except EOFError:  # the parent is gone
            return
        if name is None:
            return
        started = time.perf_counter()
        try:
            result = synth_stack(builders[name], name, Path(staging))
        except Exception:
            conn.send(("failed", name, traceback.format_exc()))
            return
        rss = tree_rss(os.getpid())
        conn.send(("done", name, result, time.perf_counter() - started, rss, rss > memory_bytes))
        if rss > memory_bytes:
            return


@dataclass
class _Worker:
    number: int
    process: BaseProcess
    conn: Connection
    current: str | None = None
    peak_rss: int = 0
    built: list[str] = field(default_factory=list)


@dataclass
class PoolStats:
    """What the pool did: workers started (including replacements) and the peak RSS any worker reached."""

    started: int = 0
    peak_rss: int = 0


def synth_in_workers(
    catalog: Catalog,
    selected: list[str],
    staging: Path,
    *,
    jobs: int,
    deadline: float | None,
    on_stack: Callable[[StackDone], None] | None,
    memory_mb: int,
    stats: PoolStats | None = None,
) -> dict[str, dict[str, Any]]:
    """Synthesize ``selected`` into ``staging`` with up to ``jobs`` workers; ``{name: synth_stack result}``.

    Raises :class:`SynthError` when a stack fails or a worker dies, :class:`SynthTimeout` at ``deadline``;
    every worker is stopped before this returns or raises."""
    pool = _Pool(catalog, selected, staging, memory_mb * 2**20, on_stack, stats or PoolStats())
    try:
        for _ in range(min(jobs, len(selected))):
            pool.start()
        while len(pool.results) < len(selected):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise SynthTimeout("synth did not finish in time; nothing written")
            sentinels = {w.process.sentinel: w for w in pool.workers.values()}
            for item in wait([*pool.workers, *sentinels], timeout=remaining):
                worker = pool.workers.get(item) if isinstance(item, Connection) else sentinels.get(item)  # type: ignore[arg-type]
                if worker is not None and worker.conn in pool.workers:
                    pool.receive(worker)
        return pool.results
    finally:
        _stop(list(pool.workers.values()))


class _Pool:
    """The parent's book-keeping: the queue of stack names, live workers, results so far."""

    def __init__(
        self,
        catalog: Catalog,
        selected: list[str],
        staging: Path,
        memory_bytes: int,
        on_stack: Callable[[StackDone], None] | None,
        stats: PoolStats,
    ) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.args = (catalog, str(staging), memory_bytes)
        self.total = len(selected)
        self.queue = list(reversed(selected))  # pop() from the end: deploy order
        self.on_stack = on_stack
        self.stats = stats
        self.results: dict[str, dict[str, Any]] = {}
        self.workers: dict[Connection, _Worker] = {}

    def start(self) -> None:
        self.stats.started += 1
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(
            target=worker_main, args=(child, *self.args), name=f"silolake-synth-{self.stats.started}", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(self.stats.started, process, parent)
        self.workers[parent] = worker
        self.feed(worker)

    def feed(self, worker: _Worker) -> None:
        worker.current = self.queue.pop() if self.queue else None
        worker.conn.send(worker.current)

    def retire(self, worker: _Worker) -> None:
        del self.workers[worker.conn]
        worker.process.join(STOP_GRACE_S)
        worker.conn.close()

    def receive(self, worker: _Worker) -> None:
        """Handle what ``worker`` sent, or its exit."""
        try:
            message = worker.conn.recv() if worker.conn.poll() else None
        except EOFError:
            message = None
        if message is None:
            if worker.process.is_alive():
                return
            if worker.current is None:  # told to stop: nothing left to build
                self.retire(worker)
                return
            worker.process.join()
            raise SynthError(
                f"synth worker {worker.number} died (exit code {worker.process.exitcode}) while building "
                f"{worker.current}"
            )
        if message[0] == "failed":
            raise SynthError(f"stack {message[1]} failed to synthesize:\n{message[2]}")
        _, name, result, seconds, rss, retiring = message
        self.results[name] = result
        worker.built.append(name)
        worker.peak_rss = max(worker.peak_rss, rss)
        self.stats.peak_rss = max(self.stats.peak_rss, rss)
        if self.on_stack:
            resources = sum(result["by_type"].values())
            self.on_stack(StackDone(name, len(self.results), self.total, resources, seconds, worker.number))
        if not retiring:
            self.feed(worker)
            return
        self.retire(worker)
        if self.queue:
            self.start()


def _stop(workers: list[_Worker]) -> None:
    """Stop workers: ask (an idle worker exits at once), then SIGKILL each worker's process group,
    which holds its Node.js processes too, so none of them outlives synth or writes after it."""
    for w in workers:
        try:
            if w.process.is_alive():
                w.conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + STOP_GRACE_S
    for w in workers:
        w.process.join(max(deadline - time.monotonic(), 0) if w.current is None else 0)
    for w in workers:
        pid = w.process.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if pid is not None and os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)  # the worker and its Node.js processes
            else:
                w.process.kill()  # still starting: no group (and no engine) of its own yet
        w.process.join(STOP_GRACE_S)
        w.conn.close()
