"""The one door to the CDK engine and the prebuilt AWS provider bindings.

Two engines ship the same class names, and this is the only module that imports either:

- ``cdktn`` (CDK Terrain) with ``cdktn_provider_aws`` (hashicorp/aws 6.69): the default,
  maintained continuation of CDKTF. Its provider bindings import only the submodules a
  synth uses, so a process starts in ~5 s instead of ~15 s (benchmarks/RESULTS.md).
- ``cdktf`` 0.21 with ``cdktf_cdktf_provider_aws`` (hashicorp/aws 6.25): archived upstream
  on 2025-12-10, kept for teams that pinned it. Install ``silolake[cdktf]`` and set
  ``SILOLAKE_ENGINE=cdktf``.

The engine is chosen once per process from ``SILOLAKE_ENGINE`` (:mod:`silolake.engine.env`);
an unknown value or a missing package fails with a message saying what to install.

Provider submodules are imported on first attribute access (``aws.s3_bucket``): the
provider package holds ~2,400 of them and importing one costs jsii time, so we only
pay for what a synth actually uses. That is the Python side; in the engine's Node.js
process the kernel loads the provider's whole JavaScript package, and the preload hook
set up by :mod:`silolake.engine.env` makes its modules load on first use there too.
"""

from __future__ import annotations

import functools
import importlib
import os
import typing
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .env import ENGINES, EngineError, engine_started, selected_engine

# jsii warns on every process start that Node 20 is past end-of-life; the README pins
# Node 20 as the supported runtime, so the banner is noise in every synth and test run.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,22")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

ENGINE = selected_engine()
CDKTF_MODULE, PROVIDER_MODULE, _REQUIREMENT = ENGINES[ENGINE]
try:
    with engine_started():  # the kernel starts its Node.js process here, with the lazy provider hook
        _core = importlib.import_module(CDKTF_MODULE)
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise EngineError(f"engine {ENGINE!r} is selected but not installed: pip install '{_REQUIREMENT}'") from exc

from constructs import Construct  # noqa: E402  (after the engine: it pins the constructs version)

#: Context of every ``App`` silolake makes (synth and the scratch apps of
#: :mod:`silolake.stacks.scratch`): logical ids stable and readable (no hash suffixes tied to
#: stack ids), and the Terraform the output needs: native S3 state locking (``use_lockfile``)
#: came in 1.10 (CDK Terrain validates features against it; cdktf ignores the key). Same as
#: cdktf.json. Here, beside ``App``, so the stacks and synth both read it without importing
#: each other.
APP_CONTEXT: dict[str, Any] = {
    "excludeStackIdFromLogicalIds": "true",
    "allowSepCharsInLogicalIds": "true",
    "targetVersions": {"terraform": ">=1.10.0"},
}

App = _core.App
Fn = _core.Fn
S3Backend = _core.S3Backend
TerraformAsset = _core.TerraformAsset
TerraformElement = _core.TerraformElement
AssetType = _core.AssetType
TerraformOutput = _core.TerraformOutput
TerraformProvider = _core.TerraformProvider
TerraformStack = _core.TerraformStack
TerraformResource = _core.TerraformResource
TerraformResourceLifecycle = _core.TerraformResourceLifecycle
Testing = _core.Testing
Token = _core.Token

#: Whether the engine's typed ``S3Backend`` takes ``use_lockfile`` (native S3 locking);
#: cdktf 0.21 predates the argument and needs an override instead.
S3_BACKEND_HAS_USE_LOCKFILE = ENGINE == "cdktn"


class _Provider(ModuleType):
    """Lazy view of the provider package: ``aws.kms_key.KmsKey`` imports ``kms_key`` on use."""

    def __getattr__(self, name: str) -> ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        module = importlib.import_module(f"{PROVIDER_MODULE}.{name}")
        setattr(self, name, module)
        return module


aws = _Provider(PROVIDER_MODULE)


def s3_backend(scope: Construct, **kwargs: object) -> object:
    """An ``S3Backend`` with native S3 locking (``use_lockfile``, Terraform >= 1.10) on either engine.

    ``kwargs`` are the typed backend arguments (``bucket``, ``key``, ``region``, ...)."""
    if S3_BACKEND_HAS_USE_LOCKFILE:
        return S3Backend(scope, use_lockfile=True, **kwargs)
    backend = S3Backend(scope, **kwargs)
    scope.add_override("terraform.backend.s3.use_lockfile", True)  # type: ignore[attr-defined]
    return backend


def typed(provider_class: Any) -> Callable[..., Any]:
    """``provider_class`` (a resource or data source of ``aws``) with every nested setting built
    as the provider's own struct class: ``typed(aws.s3_bucket_lifecycle_configuration.
    S3BucketLifecycleConfiguration)(scope, "id", bucket=..., rule=[{"id": "x", "filter": [{}]}])``.

    Why: jsii converts a dict passed *directly* as a struct argument (and fails on an unknown
    key), but a dict inside a list reaches the engine as it is: a snake_case key there is
    dropped without an error (a lifecycle rule once lost its action so). Here every dict a
    struct is expected for, at any depth and inside lists, becomes that struct; keys may be
    snake_case (the Python argument) or camelCase (the struct's jsii name), and an unknown key
    raises :class:`TypeError` naming the setting path and the keys allowed.
    ``tests/constructs/test_provider_settings.py`` scans the constructs for provider calls that bypass it."""
    hints = _hints(provider_class.__init__)
    name = provider_class.__name__

    def build(*args: Any, **kwargs: Any) -> Any:
        return provider_class(*args, **{k: _typed_value(hints.get(k), v, f"{name}.{k}") for k, v in kwargs.items()})

    return build


@functools.cache
def _hints(init: Any) -> dict[str, Any]:
    return typing.get_type_hints(init)


def _struct_in(hint: Any) -> Any:
    """The jsii struct class a type hint names, at any depth of Union/Optional/Sequence, else ``None``."""
    if isinstance(hint, type) and hasattr(hint, "__jsii_name_mapping__"):
        return hint
    for arg in typing.get_args(hint):
        found = _struct_in(arg)
        if found is not None:
            return found
    return None


def _typed_value(hint: Any, value: Any, where: str) -> Any:
    struct = _struct_in(hint)
    if struct is None:
        return value
    if isinstance(value, dict):
        return _struct(struct, value, where)
    if isinstance(value, list | tuple):
        return [_struct(struct, v, f"{where}[{i}]") if isinstance(v, dict) else v for i, v in enumerate(value)]
    return value


def _struct(struct: Any, value: dict[str, Any], where: str) -> Any:
    mapping: dict[str, str] = struct.__jsii_name_mapping__  # python name -> jsii (camelCase) name
    by_jsii = {jsii_name: py for py, jsii_name in mapping.items()}
    hints = _hints(struct.__init__)
    kwargs = {}
    for key, item in value.items():
        py = key if key in mapping else by_jsii.get(key)
        if py is None:
            raise TypeError(
                f"{where}: unknown setting {key!r} for {struct.__name__} (known: {', '.join(sorted(mapping))})"
            )
        kwargs[py] = _typed_value(hints.get(py), item, f"{where}.{py}")
    return struct(**kwargs)


def stop_engine() -> None:
    """Stop this process's engine (its jsii Node.js process) after the request in flight, within ~5 s.

    Synth calls this when a timeout or SIGTERM interrupted it mid-stack, so the Node.js
    process cannot go on writing into a staging directory that is being removed. The
    engine cannot be used again in this process afterwards."""
    from jsii import _runtime  # the kernel the engine import above started

    getattr(_runtime.kernel.provider, "_process").stop()  # noqa: B009  (private: no public stop in jsii)


__all__ = [
    "App",
    "AssetType",
    "Construct",
    "ENGINE",
    "EngineError",
    "Fn",
    "S3Backend",
    "TerraformAsset",
    "TerraformElement",
    "TerraformOutput",
    "TerraformProvider",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Testing",
    "Token",
    "aws",
    "s3_backend",
    "stop_engine",
    "typed",
]
