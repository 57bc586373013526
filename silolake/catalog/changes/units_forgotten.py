"""Rule: what a silo builds once for a kind of flow, forgotten with the last flow of that kind
(guarded: synth forgets it with ``removed { destroy = false }``, :mod:`silolake.stacks.continuity`).

The units are those of :mod:`silolake.catalog.silo_units` that no other rule reports when they
go: the QuickSight data source (the last ``quicksight: true`` flow), the flow API's access logs
(the last api flow), the landing function's logs (the last file flow) and the quality results
table (the last flow). The warehouse, SFTP and partner access have rules of their own
(:mod:`.warehouse`, :mod:`.sftp`, :mod:`.upload`). Saying so when they go matters: turning one
on again later is refused until the catalog decides (``adopt`` or ``deleted_in_aws``,
:mod:`.readoption`), and the team should not learn of it only then.
"""

from __future__ import annotations

from ...channels import API, FILE_SOURCES
from ..silo_units import BY_NAME
from .base import Change, Locator, Pair

#: Unit -> whether a snapshot flow switches it on (``None``: a base predating the fact).
_ON = {
    "quicksight": lambda f: f.get("quicksight"),
    "flow_api": lambda f: f.get("source") == API.name,
    "landing": lambda f: f.get("source") in FILE_SOURCES,
    "quality": lambda f: True,
}


def units_forgotten(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None:
        return []
    out = []
    for unit in ("quicksight", "flow_api", "landing", "quality"):
        on = _ON[unit]
        had = [on(f) for f in pair.old["flows"].values()]
        if None in had or not any(had) or any(on(f) for f in pair.new["flows"].values()):
            continue
        label = BY_NAME[unit].label
        out.append(
            Change(
                f"{unit} forgotten",
                f"silo '{pair.name}'",
                "guarded",
                f"{label}: forgotten with the last flow that needed it (removed, destroy = false), it stays in "
                f"AWS; switching it on again needs adopt: [{unit}] (imports it) or deleted_in_aws: [{unit}]",
            )
        )
    return out
