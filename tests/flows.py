"""A catalog :class:`~silolake.catalog.model.Flow` built in code, for tests that need one
without a catalog file: the defaults a loaded file flow gets, any field overridden."""

from __future__ import annotations

from typing import Any

from silolake.catalog.model import Column, Flow


def file_flow(name: str, columns: tuple[Column, ...], **overrides: Any) -> Flow:
    """A daily ``sftp`` flow named ``name`` with ``columns`` (CSV with a header, loaded into
    the warehouse, partitioned by ``ingest_date``); ``overrides`` replace any field."""
    fields: dict[str, Any] = {
        "name": name,
        "source": "sftp",
        "format": "csv",
        "columns": columns,
        "keys": (),
        "partition_by": ("ingest_date",),
        "schedule": "rate(1 day)",
        "job": "default",
        "buffer_seconds": 300,
        "buffer_mb": 128,
        "csv_delimiter": ",",
        "csv_header": True,
        "warehouse": True,
        "quicksight": False,
        "renamed_from": None,
        "glue_worker_type": "G.1X",
        "glue_workers": 2,
        "throttle_rate": 100.0,
        "throttle_burst": 200,
    }
    fields.update(overrides)
    return Flow(**fields)
