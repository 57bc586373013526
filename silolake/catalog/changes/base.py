"""The :class:`Change` every rule returns, and helpers reading unvalidated catalog data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import Path as KeyPath  # noqa: N811 (key path, not a file path)

Verdict = Literal["safe", "guarded", "impossible"]

#: A snapshot is plain JSON data (written to ``cdktf.out`` by synth, read back later).
Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "flow renamed"; the rows of docs/day-2.md
    subject: str  # e.g. "silo 'shop' flow 'orders'"
    verdict: Verdict
    effect: str  # what it does to resources and data
    refused: str | None = None  # why it is refused and what to do instead (None: accepted)
    where: KeyPath = ()  # key path in the new catalog the problem is located at

    def line(self) -> str:
        return f"{self.verdict}: {self.kind}: {self.subject}: {self.effect}"


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


MOVE_ACCOUNT = (
    "a silo's data and state stay in its account. "
    "Keep the account id; to move, decommission this silo and add a new one"
)
