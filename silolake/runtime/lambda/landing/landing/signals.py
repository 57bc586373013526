"""Health metrics of the landing function, as CloudWatch Embedded Metric Format (EMF) log lines.

Pure: :func:`emf_record` builds the JSON object the handler prints on one stdout line; Lambda
sends stdout to the function's log group and CloudWatch Logs extracts the metrics from it (no
``cloudwatch:PutMetricData`` permission, no API call on the file's path). Specification:
CloudWatch User Guide, "Specification: Embedded metric format".

Each file that reached a decision (landed or quarantined) gives one record in the namespace
``Silolake/Flows`` with ``FilesReceived`` = 1 and ``FilesQuarantined`` = 1 or 0, under the
dimension sets ``{Silo, Flow}`` and ``{Silo, Flow, Partner}`` (the health metrics contract,
docs/operations.md). ``Flow`` is the flow's catalog name (``FLOW_NAMES`` maps the dropzone
folder, a renamed flow's former name, back to it). Files outside the layout or of an unknown
flow get no record: their flow is whatever a partner typed, and a metric per typo would be
an unbounded number of custom metrics, billed each; the owners' quarantine notice covers them.

The framework keeps these names in ``silolake/health/health_metrics.py``; this module restates
them and ``tests/constructs/health/test_health_drift.py`` proves the two agree.
"""

from __future__ import annotations

import json
from typing import Any

#: CloudWatch namespace of every silolake flow metric.
NAMESPACE = "Silolake/Flows"
FILES_RECEIVED = "FilesReceived"
FILES_QUARANTINED = "FilesQuarantined"
#: Dimension sets of both metrics: per flow, and per flow and partner.
DIMENSION_SETS = (("Silo", "Flow"), ("Silo", "Flow", "Partner"))
#: The outcomes that are decisions about a file (``ignored`` and ``gone`` are not).
DECIDED = ("landed", "quarantined")


def parse_flow_names(text: str) -> dict[str, str]:
    """``FLOW_NAMES``: JSON ``{dropzone folder: catalog flow name}``; empty text means no renamed flows."""
    if not text:
        return {}
    data = json.loads(text)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("FLOW_NAMES must be a JSON object of folder -> flow name")
    return data


def emf_record(*, silo: str, flow: str, partner: str, status: str, timestamp_ms: int) -> dict[str, Any]:
    """The EMF object for one decided file. ``status``: ``landed`` or ``quarantined``;
    ``timestamp_ms``: milliseconds since the epoch (the decision's time).

    Raises ValueError for any other status (only decisions are counted)."""
    if status not in DECIDED:
        raise ValueError(f"only decided files are counted, not {status!r}")
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [list(dims) for dims in DIMENSION_SETS],
                    "Metrics": [
                        {"Name": FILES_RECEIVED, "Unit": "Count"},
                        {"Name": FILES_QUARANTINED, "Unit": "Count"},
                    ],
                }
            ],
        },
        "Silo": silo,
        "Flow": flow,
        "Partner": partner,
        FILES_RECEIVED: 1,
        FILES_QUARANTINED: 1 if status == "quarantined" else 0,
    }
