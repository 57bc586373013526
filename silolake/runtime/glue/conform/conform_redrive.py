"""Redrive: reprocess chosen ``ingest_date`` days of one flow after a fix (``--redrive_days``).

A run normally reads the raw partitions from the day before its watermark onwards
(:func:`conform._select_partitions`). A redrive adds named older days, for when the data
of those days was rejected by a mistake since corrected (a catalog type widened, a
quality rule relaxed, a credential's flows fixed and the quarantined files replayed):

- **Argument.** ``--redrive_days`` is a JSON list of ``YYYY-MM-DD`` strings (what the
  state machine passes from its input ``{"redrive": {"flow": ..., "days": [...]}}``).
  Every day must be a raw partition of the flow: a day without raw data fails the run
  with its name (:class:`RedriveError`), rather than "succeed" having done nothing.
- **Selection.** Flows partitioned by ``ingest_date`` add exactly those days: each
  processed partition is a pure function of its raw day. Flows that merge with stored
  rows (``partition_by`` without ``ingest_date``, or none) add *every* raw day from the
  earliest redriven day on: the merge lets this run's rows win over stored rows, which
  is right only when every row that arrived after the redriven day is in this run too
  (otherwise an older arrival would overwrite a newer one).
- **Forgetting.** Files of the redriven days that an earlier run rejected as a whole are
  read again (the fix may have made them readable); files of other days stay remembered.
  A file read again and still rejected is rejected again, with its reason. The rejects
  of a redriven day are replaced by this run's (:func:`clear_rejects`): a row the fix
  made valid is no longer listed as rejected.
- **Idempotent.** A redrive writes what a first run over the same raw data and catalog
  would write; running it twice gives the same processed data, rejects and state
  (``finished_at`` aside). The job's refusals stay: a reprocess that would remove rows
  valid when written refuses the run (:class:`conform_read.SchemaChangeRefused`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from conform_io import fs_of
from conform_spec import INGEST_DATE, FlowSpec
from pyspark.sql import SparkSession

__all__ = ["ARGUMENT", "MAX_DAYS", "RedriveError", "clear_rejects", "forget", "parse_days", "select_partitions"]

#: The job argument's name (``--redrive_days``); the framework's ``silolake/pipeline_input.py`` states
#: it for the state machine, and ``tests/etl/test_redrive_moto.py`` proves the two agree.
ARGUMENT = "redrive_days"
#: Days one redrive may name (a year): a redrive is a repair, not a rebuild (delete the state for that).
MAX_DAYS = 366
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RedriveError(ValueError):
    """The redrive argument is malformed or names a day the flow has no raw data for."""


def parse_days(text: str | None) -> tuple[str, ...]:
    """The days of ``--redrive_days`` (JSON list of ``YYYY-MM-DD``), sorted and unique; ``()`` when absent.

    Raises :class:`RedriveError` naming the fault (not JSON, not a list, not a calendar day, too many)."""
    if text is None or text == "":
        return ()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RedriveError(f'--redrive_days is not JSON ({exc}); expected a list such as ["2024-05-01"]') from exc
    if not isinstance(value, list) or not value:
        raise RedriveError(f"--redrive_days must be a non-empty list of YYYY-MM-DD days, got {value!r}")
    days = set()
    for day in value:
        if not isinstance(day, str) or not _DAY.match(day):
            raise RedriveError(f"--redrive_days: {day!r} is not a day in the form YYYY-MM-DD")
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise RedriveError(f"--redrive_days: {day!r} is not a calendar day") from None
        days.add(day)
    if len(days) > MAX_DAYS:
        raise RedriveError(
            f"--redrive_days names {len(days)} days; at most {MAX_DAYS} per redrive (to rebuild a flow from all of "
            "its raw data, delete its state file instead: docs/etl.md, Reruns)"
        )
    return tuple(sorted(days))


def select_partitions(selected: Sequence[str], available: Sequence[str], days: Sequence[str], merge: bool) -> list[str]:
    """``selected`` (the watermark's choice) plus the redriven ``days`` (see module docstring), sorted.

    ``available``: every raw partition of the flow; ``merge``: the flow merges with stored rows.
    Raises :class:`RedriveError` when a day has no raw partition."""
    if not days:
        return list(selected)
    missing = sorted(set(days) - set(available))
    if missing:
        raise RedriveError(
            f"no raw data for ingest_date {', '.join(missing)} (the flow's raw days run from "
            f"{available[0] if available else 'none'} to {available[-1] if available else 'none'}); nothing to redrive"
        )
    extra = [p for p in available if p >= min(days)] if merge else list(days)
    return sorted(set(selected) | set(extra))


def forget(known: dict[tuple[str, int, int], str], rejected: Iterable[dict[str, Any]], days: Sequence[str]) -> None:
    """Drop from ``known`` (file key -> reason) the files of the redriven ``days``, so they are read again.

    ``rejected``: the state's ``rejected_files`` records (``path``, ``size``, ``mtime``, ``ingest_date``)."""
    wanted = set(days)
    for record in rejected:
        if record.get("ingest_date") in wanted:
            known.pop((record["path"], record["size"], record["mtime"]), None)


def clear_rejects(spark: SparkSession, spec: FlowSpec, days: Sequence[str]) -> None:
    """Delete the rejects partitions of the redriven ``days`` before the run writes its rejects.

    The run reads each of those days whole, so its rejects of them are complete; the rejects
    writer replaces only the partitions it has lines for, which would leave the lines of rows
    the fix made valid behind. A failure after this call is repaired by redriving again."""
    for day in days:
        fs, path = fs_of(spark, f"{spec.rejects_path}{INGEST_DATE}={day}/")
        if fs.exists(path):
            fs.delete(path, True)
