"""Catalog features the schema accepts but silolake does not build yet.

One row per feature: the catalog key, what it will build, and which silos/flows use it.
``silolake validate`` and ``silolake synth`` print one notice per feature in use, so a
catalog never silently promises infrastructure that is not synthesized. Whoever builds a
feature deletes its row (the README's list is checked against this table by a test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .flow import Flow
from .model import Catalog, Silo


class Feature(NamedTuple):
    key: str  # catalog key path, as in the README's catalog reference
    builds: str  # what it will build
    silo_uses: Callable[[Silo], bool] | None = None
    flow_uses: Callable[[Flow], bool] | None = None


#: Empty: every catalog feature is built. Add a row when the schema gains a key before
#: what it builds exists, so validate and synth say so instead of silently ignoring it.
NOT_BUILT: tuple[Feature, ...] = ()


def not_built_notices(catalog: Catalog) -> list[str]:
    """One line per not-yet-built feature the catalog uses, naming where (at most 6 places)."""
    lines = []
    for feature in NOT_BUILT:
        where = [s.name for s in catalog.silos if feature.silo_uses and feature.silo_uses(s)]
        where += [
            f"{s.name}/{f.name}" for s in catalog.silos for f in s.flows if feature.flow_uses and feature.flow_uses(f)
        ]
        if where:
            more = f" and {len(where) - 6} more" if len(where) > 6 else ""
            lines.append(
                f"{feature.key} ({feature.builds}) is accepted but not built yet: nothing is synthesized for it "
                f"(used by {', '.join(where[:6])}{more})"
            )
    return lines
