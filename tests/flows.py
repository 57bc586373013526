"""A catalog :class:`~silolake.catalog.flow.Flow` built in code, for tests that need one
without a catalog file: the defaults a loaded file flow gets, any field overridden."""

from __future__ import annotations

import re
from typing import Any

from silolake.catalog.flow import Column, Flow


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


#: The example's ``orders`` flow starts its settings after this line (the first hourly schedule).
ORDERS_SCHEDULE = '        schedule: "rate(1 hour)"\n'


def with_custom_orders_job(text: str, job: str) -> str:
    """The example catalog ``text`` with ``job`` (a path beside the catalog) as the ``orders``
    flow's custom Glue job; its quality rules go too (they run in the default job only)."""
    assert ORDERS_SCHEDULE in text
    head, tail = text.split(ORDERS_SCHEDULE, 1)
    flow, sep, rest = tail.partition("      - name: ")
    # The rules block with the comment lines right above it: "quality:", then its "- {...}" items.
    flow = re.sub(r"(?:        #[^\n]*\n)*        quality:\n(?:          - [^\n]*\n)+", "", flow)
    return head + ORDERS_SCHEDULE + f"        job: {job}\n" + flow + sep + rest
