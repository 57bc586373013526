"""Rule: flows removed, renamed, or changing their AWS name or source."""

from __future__ import annotations

from ...channels import find
from .base import Change
from .columns import column_changes, version_of


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
                out += _versioned_rename(silo, i, name, target, flow, now["flows"][target], flow_at, base_name)
            elif name in now["removed_flows"] and version_of(flow) > 1:
                out.append(_versioned_removal(silo, i, name, flow, base_name))
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


def _versioned_rename(
    silo: str, i: int, name: str, target: str, old: dict, now: dict, flow_at: dict, base_name: str
) -> list[Change]:
    """A rename and a ``schema_version`` change in one edit: the moved blocks follow the new
    version's addresses while the old version's tables are still at the former name's, so
    they would be neither moved nor forgotten. Two edits do both safely."""
    if version_of(now) == version_of(old):
        return []
    return [
        Change(
            "flow renamed and schema version changed",
            f"silo '{silo}' flow '{name}' -> '{target}'",
            "impossible",
            "the old version's tables would be neither moved nor forgotten",
            f"flow '{target}' of silo '{silo}' is renamed from '{name}' and changes schema_version from "
            f"{version_of(old)} to {version_of(now)} in one edit (base {base_name}); Terraform could neither move nor "
            f"forget the old version's tables. Rename first (keep schema_version: {version_of(old)}), raise the "
            "version in a later edit",
            ("silos", i, "flows", flow_at.get((silo, target), 0), "schema_version"),
        )
    ]


def _versioned_removal(silo: str, i: int, name: str, old: dict, base_name: str) -> Change:
    """``removed_flows`` forgets a removed flow's resources at the addresses of its version 1
    (synth knows no more of a flow that left the catalog), so a flow at a later version
    cannot leave that way yet: its tables would be destroyed."""
    return Change(
        "flow removed",
        f"silo '{silo}' flow '{name}'",
        "impossible",
        f"its schema version {version_of(old)} tables would be destroyed (removed_flows forgets version 1 addresses)",
        f"flow '{name}' of silo '{silo}' is at schema_version {version_of(old)} (base {base_name}); removed_flows "
        "forgets only a version-1 flow's tables, so this removal would destroy its tables. Keep the flow in the "
        "catalog: removing a flow above schema_version 1 is not supported yet",
        ("silos", i, "removed_flows"),
    )
