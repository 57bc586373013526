"""How a synth stops: its errors, SIGTERM turned into an exception (so staging is cleaned up)
and held back while staged output moves into place, and a time limit raised in the main
thread. Re-exported by :mod:`silolake.synth.app`."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import EXIT_INVALID, EXIT_TERMINATED, EXIT_TIMEOUT, SilolakeError

__all__ = [
    "NodeMissing",
    "StackSelectionError",
    "SynthError",
    "SynthInterrupted",
    "SynthTimeout",
    "alarm",
    "sigterm_deferred",
    "sigterm_raises",
]


class SynthError(SilolakeError):
    """Synth could not run as asked (unknown stack, a worker failed, timeout); nothing was written."""


class StackSelectionError(SynthError):
    """A requested stack name or glob matches no stack of the catalog (the user's to fix: exit 2)."""

    exit_code = EXIT_INVALID


class SynthTimeout(SynthError):
    """The synth did not finish within its time limit (exit 124, as timeout(1))."""

    exit_code = EXIT_TIMEOUT


class SynthInterrupted(SynthError):
    """The synth received SIGTERM (a CI job cancelled, a container stopped): exit 143, as the shell."""

    exit_code = EXIT_TERMINATED


class NodeMissing(SynthError):
    """No Node.js to run the engine's core in (jsii starts ``node``, or ``JSII_NODE``): exit 2."""

    exit_code = EXIT_INVALID


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`SynthInterrupted` while synth runs, so ``finally`` blocks clean up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SynthInterrupted("interrupted by SIGTERM; nothing written")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def sigterm_deferred() -> Iterator[None]:
    """Hold SIGTERM back (it is delivered right after) while the staged output moves into place."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextmanager
def alarm(deadline: float | None) -> Iterator[None]:
    """Raise :class:`SynthTimeout` in this (main) thread at ``deadline`` (monotonic seconds)."""
    if deadline is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SynthTimeout("synth did not finish in time; nothing written")

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
