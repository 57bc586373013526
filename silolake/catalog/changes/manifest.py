"""The snapshot of the last synth, kept in the synth output directory."""

from __future__ import annotations

import json
from pathlib import Path

from ..model import Catalog
from .base import Snapshot
from .snapshot import snapshot

#: File in the synth output directory recording the snapshot of the catalog synthesized.
MANIFEST = "silolake-catalog.json"


def write_manifest(out_dir: Path, catalog: Catalog) -> None:
    body = {"source": str(catalog.source.resolve()), "snapshot": snapshot(catalog)}
    (Path(out_dir) / MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def last_synth(out_dir: Path, catalog: Catalog | Path) -> Snapshot | None:
    """The snapshot of the last synth of *this* catalog file (``catalog``, or its path) into
    ``out_dir``, if any (the output of another catalog, or an unreadable manifest, is not
    compared against). Manifests of earlier versions are read as they are: the snapshot's
    shape is unchanged, and a rule skips a key an old one lacks."""
    source = catalog if isinstance(catalog, Path) else catalog.source
    try:
        body = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("source") != str(Path(source).resolve()):
        return None
    snap = body.get("snapshot")
    return (
        snap if isinstance(snap, dict) and {"organization", "datalake", "silos", "analytics"} <= snap.keys() else None
    )
