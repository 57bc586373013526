"""The input of a flow's state machine, shared by its definition and the commands that start it.

Pure (no cdktf, no boto3): the state machine definition (``constructs/etl/asl.py``) reads
these fields, ``silolake redrive`` (``ops/redrive.py``) writes them, and neither layer may
import the other (``tests/test_layout.py``).

Shapes (JSON)::

    {"flow": "<flow>"}                                                  # the schedule: one run
    {"flow": "<flow>", "redrive": {"flow": "<flow>", "days": ["YYYY-MM-DD", ...]}}   # a redrive

A redrive's days reach the conform job as the run argument :data:`REDRIVE_ARGUMENT` (the
list as JSON text), read by ``silolake/runtime/glue/conform/conform_redrive.py``, which
restates the name (runtime code never imports the framework; ``tests/etl/test_redrive_moto.py``
runs the definition with this input and checks the job run's arguments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["REDRIVE", "REDRIVE_ARGUMENT", "redrive_input", "scheduled_input"]

#: The input field of a redrive (``$.redrive``), with ``flow`` and ``days``.
REDRIVE = "redrive"
#: The Glue job run argument carrying a redrive's days.
REDRIVE_ARGUMENT = "--redrive_days"


def scheduled_input(flow: str) -> dict[str, Any]:
    """What the flow's EventBridge schedule sends (``flow`` as the catalog spells it)."""
    return {"flow": flow}


def redrive_input(flow: str, days: Sequence[str]) -> dict[str, Any]:
    """The input of a redrive of ``days`` (``YYYY-MM-DD``, sorted, unique) of ``flow``."""
    return {**scheduled_input(flow), REDRIVE: {"flow": flow, "days": sorted(set(days))}}
