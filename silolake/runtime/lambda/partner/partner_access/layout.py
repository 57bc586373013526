"""The dropzone key layout, as this bundle uses it: ``<partner>/<flow>/<file>``.

The framework defines the layout once (``silolake.policy.dropzone``); runtime code cannot
import the framework, so these lines restate it and ``tests/policy/test_dropzone_layout.py`` proves
the two agree. A partner writes ``<partner>/<flow>/<file>`` and reads what landing decided
in ``_status/<partner>/<flow>/<file>.json``; over SFTP it sees ``/<flow>`` per allowed
flow and ``/status``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

STATUS_PREFIX = "_status/"
SFTP_STATUS_FOLDER = "/status"


def partner_prefix(partner: str) -> str:
    return f"{partner}/"


def flow_prefix(partner: str, flow: str) -> str:
    return f"{partner}/{flow}/"


def status_prefix(partner: str) -> str:
    return f"{STATUS_PREFIX}{partner}/"


def home_directory(bucket: str, partner: str, flows: Iterable[str]) -> list[dict[str, str]]:
    """Transfer ``HomeDirectoryDetails``: ``/<flow>`` -> ``/<bucket>/<partner>/<flow>`` per flow,
    ``/status`` -> ``/<bucket>/_status/<partner>``."""
    entries = [{"Entry": f"/{flow}", "Target": f"/{bucket}/{flow_prefix(partner, flow).rstrip('/')}"} for flow in flows]
    entries.append({"Entry": SFTP_STATUS_FOLDER, "Target": f"/{bucket}/{status_prefix(partner).rstrip('/')}"})
    return entries


def home_directory_json(bucket: str, partner: str, flows: Iterable[str]) -> str:
    """:func:`home_directory` as the JSON string Transfer requires (a list is refused at run time)."""
    return json.dumps(home_directory(bucket, partner, flows))
