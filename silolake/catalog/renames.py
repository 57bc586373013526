"""Checks of the day-2 keys ``renamed_from`` (flows) and ``removed_flows`` (silos).

A flow's AWS names (S3 prefix, Glue tables, Firehose stream, log group, API path) are its
*storage name*: ``renamed_from`` when given, else its name. Two flows of a silo may not
share a storage name, and a name listed in ``removed_flows`` (whose resources Terraform
forgets, their data staying in AWS) may not be in use by a declared flow: the new flow
would collide with the forgotten resources of the same AWS names.
"""

from __future__ import annotations

from typing import Any

from .errors import Problem
from .source import SourceDoc


def rename_problems(doc: SourceDoc) -> list[Problem]:
    data = doc.data if isinstance(doc.data, dict) else {}
    silos = data.get("silos")
    problems: list[Problem] = []
    for i, silo in enumerate(silos if isinstance(silos, list) else []):
        if not isinstance(silo, dict):
            continue
        declared = silo.get("flows")
        flows = [(j, f) for j, f in enumerate(declared if isinstance(declared, list) else []) if isinstance(f, dict)]
        storage: dict[str, str] = {}
        for j, flow in flows:
            name, former = flow.get("name"), flow.get("renamed_from")
            if not isinstance(name, str):
                continue
            if former == name:
                problems.append(doc.problem(("silos", i, "flows", j, "renamed_from"), "renamed_from equals the name"))
                continue
            used = former if isinstance(former, str) else name
            other = storage.get(used)
            if other is not None and other != name:  # a duplicate name is reported by the semantic checks
                key = "renamed_from" if isinstance(former, str) else "name"
                problems.append(
                    doc.problem(
                        ("silos", i, "flows", j, key),
                        f"flow '{name}' would use the AWS names of flow '{other}' ('{used}'); each flow needs its own",
                    )
                )
            storage.setdefault(used, name)
            if isinstance(former, str) and any(f.get("name") == former for _, f in flows):
                problems.append(
                    doc.problem(
                        ("silos", i, "flows", j, "renamed_from"),
                        f"flow '{former}' is still declared; a rename replaces the entry (change its name and keep "
                        f"renamed_from: {former})",
                    )
                )
        problems += _version_collisions(doc, i, flows)
        removed: Any = silo.get("removed_flows")
        listed = [n for n in (removed if isinstance(removed, list) else []) if isinstance(n, str)]
        adopting = {storage_of(f): j for j, f in flows if f.get("adopt") is True}
        for k, name in enumerate(listed):
            if name in storage and name not in adopting:
                problems.append(
                    doc.problem(
                        ("silos", i, "removed_flows", k),
                        f"'{name}' is listed as removed but flow '{storage[name]}' uses that name; a removed flow's "
                        "tables and stream stay in AWS under it. Give the flow another name, or set adopt: true on "
                        "it to take them back (import)",
                    )
                )
        for used, j in adopting.items():
            if used not in listed:
                problems.append(
                    doc.problem(
                        ("silos", i, "flows", j, "adopt"),
                        f"adopt takes back what a removed flow left in AWS, but '{used}' is not in removed_flows "
                        "of this silo: there is nothing to import. Remove adopt",
                    )
                )
    return problems


def _versioned_names(flow: dict) -> list[str]:
    """The data names a flow's schema versions 2..N took (``<storage>_v<k>``): the older ones'
    tables stay in AWS (forgotten), so all of them stay taken."""
    version, storage = flow.get("schema_version"), storage_of(flow)
    if not isinstance(version, int) or isinstance(version, bool) or not isinstance(storage, str):
        return []
    return [f"{storage}_v{k}" for k in range(2, version + 1)]


def _version_collisions(doc: SourceDoc, i: int, flows: list[tuple[int, dict]]) -> list[Problem]:
    """A flow's versioned data name that is another flow's AWS name or versioned name: both
    would write the same tables and prefixes."""
    taken: dict[str, Any] = {}
    for _, flow in flows:
        if isinstance(storage_of(flow), str):
            taken.setdefault(storage_of(flow), flow.get("name"))
    problems = []
    for j, flow in flows:
        name = flow.get("name")
        for versioned in _versioned_names(flow):
            other = taken.setdefault(versioned, name)
            if other != name:
                problems.append(
                    doc.problem(
                        ("silos", i, "flows", j, "schema_version"),
                        f"schema version {versioned.rsplit('_v', 1)[1]} of flow '{name}' names its tables and "
                        f"prefixes '{versioned}', which flow '{other}' uses too; give flow '{other}' another name",
                    )
                )
    return problems


def storage_of(flow: dict) -> Any:
    """A flow entry's AWS name (``renamed_from`` when given)."""
    former = flow.get("renamed_from")
    return former if isinstance(former, str) else flow.get("name")
