"""Which engine runs, and how its Node.js process starts: provider modules on first use, no
creation stack traces. Imports no engine (the synth cache reads the choice without starting one).

The jsii kernel starts the engine's Node.js process the first time an engine package is
imported (:mod:`silolake.engine.cdk`), copying this process's environment. :func:`engine_started`
wraps that import and adds, for that one process only:

- ``NODE_OPTIONS=--require silolake/engine/lazy_provider.cjs``: the AWS provider's index
  requires all ~2,400 resource modules when the kernel loads the assembly; the hook turns
  each into a getter that loads it on first use (a synth uses about 90). The hook checks
  the index has the shape it rewrites and otherwise leaves it as it is, so an engine
  upgrade that changes the bindings falls back to the engine's eager load, slower but the
  same output; ``tests/engine/test_lazy_provider.py`` fails on such an upgrade.
  ``SILOLAKE_EAGER_PROVIDER=1`` turns the hook off.
- ``CDKTN_DISABLE_CREATION_STACK=1`` (CDK Terrain): tokens stop recording a JavaScript
  stack trace at creation, which only error messages show. ``SILOLAKE_ENGINE_DEBUG=1``
  keeps them. cdktf 0.21 has no such switch and ignores the variable.

Neither changes what is synthesized (the golden snapshot is the same byte for byte) nor
any validation the engine does; both only change how the process gets there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UsageError

#: Environment variable selecting the engine; values are the keys of :data:`ENGINES`.
ENGINE_ENV = "SILOLAKE_ENGINE"
#: engine name -> (core module, provider module, pip requirement that brings both).
ENGINES = {
    "cdktn": ("cdktn", "cdktn_provider_aws", "silolake"),
    "cdktf": ("cdktf", "cdktf_cdktf_provider_aws", "silolake[cdktf]"),
}
DEFAULT_ENGINE = "cdktn"
#: ``1``: load every provider module when the engine starts (the engine's own behaviour).
EAGER_ENV = "SILOLAKE_EAGER_PROVIDER"
#: ``1``: keep the engine's creation stack traces (slower; for debugging the engine).
DEBUG_ENV = "SILOLAKE_ENGINE_DEBUG"
#: The Node.js preload that defers provider modules to their first use.
LAZY_HOOK = Path(__file__).resolve().parent / "lazy_provider.cjs"


class EngineError(UsageError, RuntimeError):
    """The selected engine is unknown or not installed."""


def selected_engine() -> str:
    """The engine ``SILOLAKE_ENGINE`` names (default ``cdktn``); raises :class:`EngineError` if unknown."""
    name = os.environ.get(ENGINE_ENV, "").strip() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise EngineError(f"{ENGINE_ENV}={name!r} is not an engine; use one of {', '.join(sorted(ENGINES))}")
    return name


def engine_process_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The variables :func:`engine_started` adds for the engine's Node.js process, given ``environ``
    (default ``os.environ``): ``NODE_OPTIONS`` with the lazy provider hook appended (unless
    ``SILOLAKE_EAGER_PROVIDER=1``) and ``CDKTN_DISABLE_CREATION_STACK=1`` (unless
    ``SILOLAKE_ENGINE_DEBUG=1`` or already set)."""
    env = dict(os.environ if environ is None else environ)
    added: dict[str, str] = {}
    if env.get(EAGER_ENV, "") != "1":
        added["NODE_OPTIONS"] = f'{env.get("NODE_OPTIONS", "")} --require "{LAZY_HOOK}"'.strip()
    if env.get(DEBUG_ENV, "") != "1" and "CDKTN_DISABLE_CREATION_STACK" not in env:
        added["CDKTN_DISABLE_CREATION_STACK"] = "1"
    return added


@contextmanager
def engine_started() -> Iterator[None]:
    """Run the block (the engine's import, which starts its Node.js process) with
    :func:`engine_process_environment` in ``os.environ``; restore it afterwards, so Node.js
    processes started later (the IAM engine, npm) get neither setting."""
    added = engine_process_environment()
    saved = {k: os.environ.get(k) for k in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
