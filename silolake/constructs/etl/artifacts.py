"""Job code as content-addressed objects in the silo's artifacts prefix (pure, no cdktf).

A job is a folder's worth of Python files: the entry script plus modules it imports
(``--extra-py-files``). Their keys are ``<ARTIFACTS_PREFIX><origin>/<sha256>/<file>``
where the digest covers every file of the bundle, so an edit deploys new keys (and a
new job definition) while an unchanged bundle plans no change; file names stay as they
are because the entry script imports the modules by name.

``origin`` keeps the framework's code apart from users': the default conform job lives
under ``_silolake/conform``; a custom job under its own catalog path (``glue_src/...``,
the only place the catalog accepts), which can never start with ``_``. A user script
named like the framework's cannot shadow it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ...aws import names
from ...catalog.flow import Flow
from ...runtime import runtime_path

#: The framework's own Glue jobs, one folder per job (plain PySpark + thin Glue entry point).
GLUE_JOBS = runtime_path("glue")
#: The default conform job's folder; ``job.py`` is its Glue entry point.
CONFORM_SOURCE = GLUE_JOBS / "conform"
CONFORM_ENTRY = "job.py"
FRAMEWORK_ORIGIN = "_silolake/conform"


@dataclass(frozen=True)
class JobBundle:
    """``files``: (object key, local path), the entry script first; ``digest``: sha256 hex."""

    files: tuple[tuple[str, Path], ...]
    digest: str

    @property
    def script_key(self) -> str:
        return self.files[0][0]

    @property
    def module_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.files[1:])


def bundle(origin: str, entry: Path, modules: list[Path]) -> JobBundle:
    """Content-addressed keys of ``entry`` and ``modules`` under ``origin``."""
    digest = hashlib.sha256()
    for path in [entry, *sorted(modules)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    folder = f"{names.ARTIFACTS_PREFIX}{origin}/{digest.hexdigest()}/"
    files = tuple((folder + p.name, p) for p in [entry, *sorted(modules)])
    return JobBundle(files, digest.hexdigest())


def framework_bundle(source: Path = CONFORM_SOURCE) -> JobBundle:
    """The default conform job: ``job.py`` and every other module of its folder."""
    entry = source / CONFORM_ENTRY
    if not entry.is_file():
        raise FileNotFoundError(f"the conform job's entry point {entry} is missing")
    modules = [p for p in source.glob("*.py") if p.name != CONFORM_ENTRY]
    return bundle(FRAMEWORK_ORIGIN, entry, modules)


def job_bundle(flow: Flow, catalog_dir: Path) -> JobBundle:
    """The bundle a flow runs: the framework's, or its ``job: glue_src/...`` script (alone)."""
    if not flow.custom_job:
        return framework_bundle()
    relative = Path(flow.job)
    if relative.is_absolute() or relative.parts[:1] != ("glue_src",):
        raise ValueError(f"flow '{flow.name}': custom job {flow.job!r} is not under glue_src/")
    return bundle(relative.parent.as_posix(), catalog_dir / relative, [])
