"""Rule: how a flow's landed raw files are read changed, its ``schema_version`` kept (impossible).

The raw Glue table reads every file under the flow's raw prefix through one SerDe
(``storage_format`` in :mod:`silolake.constructs.storage.glue_tables`): Parquet, JSON, or CSV
split on ``csv.delimiter`` (``field.delim``) with ``csv.header`` skipping a first line
(``skip.header.line.count``); the conform job reads a day's raw files with the same options
(a re-run for an old day too). Files already landed keep the way they arrived, so each of
these would misread them, and is refused like a breaking column change (:mod:`.columns`),
located at the key, with the way out (a raised ``schema_version`` starts a new raw prefix
and tables, :mod:`.schema_version`; or a flow under a new name):

- ``format`` of a file flow (``csv`` -> ``json``, ...): old files parsed as the new format;
- ``source`` when it changes what lands in raw: a file flow becoming an ``api`` flow
  (Firehose writes Parquet where JSON or CSV files lie). A source *leaving* ``api`` is
  :mod:`.flow_source`'s refusal (its stream would be destroyed; its way out, a new flow,
  starts a new raw layout too), so it is not reported twice; between file sources the raw
  files keep their format and nothing is said;
- ``csv.delimiter``: old lines split on the new character;
- ``csv.header``: turned off, each old file's header line is read as a record; turned on,
  each old file's first record is skipped.

Both csv options the schema has change how old files read, so neither is safe. Spelling
one out at its default (``delimiter: ","``, ``header: true``) is no change: snapshots hold
effective values (:mod:`.snapshot`). Snapshots without the keys (manifests of earlier
versions) are not compared.
"""

from __future__ import annotations

from ...channels import find
from ..errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from .base import Change, Locator, Pair, as_dict
from .snapshot import version_of


def _raw(flow: dict) -> str | None:
    """What lands in a snapshot flow's raw prefix: the channel's conversion, else its format."""
    found = find(flow.get("source"))
    if found is None:
        return None
    fmt = found.raw_format or flow.get("format")
    return fmt if isinstance(fmt, str) else None


def raw_format_changed(pair: Pair, at: Locator) -> list[Change]:
    old, now = pair.old, pair.new
    if old is None or now is None or pair.silo is None or "format" not in old or version_of(old) != version_of(now):
        return []
    source, before, after = find(old.get("source")), _raw(old), _raw(now)
    if source is None or before is None or after is None:
        return []
    flow = (pair.silo.name, pair.name)
    if before != after:
        if source != find(now.get("source")):
            if source.landing == "firehose":
                return []  # flow_source_changed refuses it
            why, key = f"source changed from {old['source']} to {now['source']}", "source"
        else:
            why, key = f"format changed from {before} to {after}", "format"
        misread = f"{before} files already landed in its raw prefix would be read as {after}"
        return [_refused(pair, at, f"raw {key} changed (breaking)", why, misread, _at(at, flow, (key,)))]
    if before != "csv":
        return []
    out = []
    was, is_ = as_dict(old.get("csv")), as_dict(now.get("csv"))
    if "delimiter" in was and was["delimiter"] != is_.get("delimiter"):
        why = f"csv.delimiter changed from {was['delimiter']!r} to {is_.get('delimiter')!r}"
        misread = "lines of files already landed in its raw prefix would be split on the new character"
        out.append(
            _refused(pair, at, "csv delimiter changed (breaking)", why, misread, _at(at, flow, ("csv", "delimiter")))
        )
    if "header" in was and was["header"] != is_.get("header"):
        why = f"csv.header changed from {str(was['header']).lower()} to {str(is_.get('header')).lower()}"
        misread = (
            "the header line of each file already landed would be read as a record"
            if was["header"]
            else "the first record of each file already landed would be skipped as a header"
        )
        out.append(_refused(pair, at, "csv header changed (breaking)", why, misread, _at(at, flow, ("csv", "header"))))
    return out


def _at(at: Locator, flow: tuple[str, str], keys: tuple[str, ...]) -> KeyPath:
    """The first of ``keys`` and its parents the new catalog spells, else the flow's name (a
    key gone back to its default has no line of its own)."""
    for n in range(len(keys), 0, -1):
        path = at.flow(*flow, *keys[:n])
        if path in at.doc.keys:
            return path
    return at.flow(*flow, "name")


def _refused(pair: Pair, at: Locator, kind: str, why: str, misread: str, where: KeyPath) -> Change:
    assert pair.silo is not None and pair.old is not None
    version = version_of(pair.old) + 1
    return Change(
        kind,
        pair.flow_subject,
        "impossible",
        f"{why}: {misread}",
        f"flow '{pair.name}' of silo '{pair.silo.name}': {why} ({at.cited}); {misread} (the raw table, and the "
        f"conform job re-run for an old day). Keep it as it was, or start a new raw layout: set schema_version: "
        f"{version} on the flow in this edit (new raw prefix and tables; the old version's files stay readable "
        f"through its forgotten tables, backfill: docs/etl.md), or add a flow under a new name and list "
        f"'{pair.name}' under removed_flows",
        where,
    )
