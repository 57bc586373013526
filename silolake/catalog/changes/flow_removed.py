"""Rule: a flow removed (not renamed, :mod:`.flow_renamed`). Guarded: accepted with its name
in the silo's ``removed_flows`` (Terraform forgets its tables, stream and log groups, which
stay in AWS with the data), refused otherwise.

A flow above ``schema_version`` 1 cannot leave that way yet (impossible): ``removed_flows``
forgets a removed flow's resources at the addresses of its version 1 (synth knows no more of
a flow that left the catalog), so its versioned tables would be destroyed.
"""

from __future__ import annotations

from .base import Change, Locator, Pair, streamed
from .flow_renamed import renamed_to
from .snapshot import version_of


def flow_removed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is not None or pair.silo is None or pair.silo.new is None:
        return []
    if renamed_to(pair) is not None:
        return []
    silo, name, version = pair.silo.name, pair.name, version_of(pair.old)
    decided = name in pair.silo.new["removed_flows"]
    if decided and version > 1:
        return [
            Change(
                "flow removed",
                pair.flow_subject,
                "impossible",
                f"its schema version {version} tables would be destroyed (removed_flows forgets version 1 addresses)",
                f"flow '{name}' of silo '{silo}' is at schema_version {version} ({at.cited}); removed_flows forgets "
                "only a version-1 flow's tables, so this removal would destroy its tables. Keep the flow in the "
                "catalog: removing a flow above schema_version 1 is not supported yet",
                at.silo(silo, "removed_flows"),
            )
        ]
    held = "tables, stream and log groups" if streamed(pair.old.get("source")) else "tables and log groups"
    if decided:
        effect = f"{held} forgotten (removed, destroy = false); they and the data stay in AWS"
        return [Change("flow removed", pair.flow_subject, "guarded", effect)]
    return [
        Change(
            "flow removed",
            pair.flow_subject,
            "guarded",
            "would destroy its Glue tables, Firehose stream and log groups",
            f"flow '{name}' of silo '{silo}' was removed ({at.cited}); that would destroy its tables, stream and "
            f"log groups. List it under removed_flows of silo '{silo}' to keep them in AWS (Terraform forgets "
            f"them), or, for a rename, add renamed_from: {name} to the new flow",
            at.silo(silo, "flows"),
        )
    ]
