"""Rule: flows removed, renamed, or changing their AWS name or source."""

from __future__ import annotations

from ...channels import find
from .base import Change
from .columns import column_changes


def _streamed(source: object) -> bool:
    """Whether a flow of ``source`` (a snapshot's, maybe from an old, invalid catalog) has a
    Firehose stream and its log group (a ``firehose`` channel, :mod:`silolake.channels`)."""
    found = find(source)
    return found is not None and found.landing == "firehose"


def flow_changes(
    silo: str, i: int, old: dict, now: dict, flow_at: dict[tuple[str, str], int], base_name: str
) -> list[Change]:
    out: list[Change] = []
    for name, flow in old["flows"].items():
        subject = f"silo '{silo}' flow '{name}'"
        cur = now["flows"].get(name)
        if cur is None:
            target = next((n for n, f in now["flows"].items() if f["storage"] == flow["storage"]), None)
            if target is not None:
                out.append(
                    Change(
                        "flow renamed",
                        f"{subject} -> '{target}'",
                        "guarded",
                        f"addresses moved (moved blocks); AWS names, S3 prefix and API path stay '{flow['storage']}'",
                    )
                )
            elif name in now["removed_flows"]:
                out.append(
                    Change(
                        "flow removed",
                        subject,
                        "guarded",
                        "tables, stream and log groups forgotten (removed, destroy = false); "
                        "they and the data stay in AWS",
                    )
                )
            else:
                out.append(
                    Change(
                        "flow removed",
                        subject,
                        "guarded",
                        "would destroy its Glue tables, Firehose stream and log groups",
                        f"flow '{name}' of silo '{silo}' was removed (base {base_name}); "
                        "that would destroy its tables, "
                        f"stream and log groups. List it under removed_flows of silo '{silo}' to keep them in AWS "
                        f"(Terraform forgets them), or, for a rename, add renamed_from: {name} to the new flow",
                        ("silos", i, "flows"),
                    )
                )
            continue
        j = flow_at.get((silo, name), 0)
        out += column_changes(silo, i, j, name, flow, cur, base_name)
        if cur["storage"] != flow["storage"]:
            out.append(
                Change(
                    "flow AWS name changed",
                    subject,
                    "impossible",
                    f"AWS names would change from '{flow['storage']}' to '{cur['storage']}' (recreated)",
                    f"flow '{name}' of silo '{silo}' is known to AWS as '{flow['storage']}' (base {base_name}); "
                    "changing "
                    "or dropping renamed_from would recreate its stream, tables and log group under another name. "
                    f"Keep renamed_from: {flow['storage']}",
                    ("silos", i, "flows", j, "renamed_from" if cur["storage"] != name else "name"),
                )
            )
        if _streamed(flow.get("source")) and not _streamed(cur.get("source")):
            out.append(
                Change(
                    "flow source changed from api",
                    subject,
                    "guarded",
                    "would destroy its Firehose stream and log group",
                    f"flow '{name}' of silo '{silo}' changes source from {flow.get('source')} to {cur.get('source')}: "
                    "its Firehose stream "
                    f"and log group would be destroyed. Add a new flow for the {cur.get('source')} data and list "
                    f"'{name}' under removed_flows",
                    ("silos", i, "flows", j, "source"),
                )
            )
    known = {f["storage"] for f in old["flows"].values()}
    for name in sorted(now["flows"].keys() - old["flows"].keys()):
        if now["flows"][name]["storage"] in now["removed_flows"]:
            out.append(
                Change(
                    "removed flow adopted",
                    f"silo '{silo}' flow '{name}'",
                    "guarded",
                    "the tables, stream and log groups it left in AWS are imported (import blocks), not created",
                )
            )
        elif now["flows"][name]["storage"] not in known:
            out.append(Change("flow added", f"silo '{silo}' flow '{name}'", "safe", "new tables (and stream)"))
    return out
