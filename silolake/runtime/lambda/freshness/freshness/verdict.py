"""Whether a flow (or one partner of it) is late: the evidence rule, pure.

The framework writes, per check, the evidence that proves data arrived (and, for a flow, that it
was conformed) as terms of CloudWatch metrics: ``{"name", "terms": [{"namespace", "metric",
"dimensions": [[name, value], ...], "weight"}]}``. Each evidence's value is the weighted sum of its metrics' ``Sum``
over the window (``FilesReceived`` - ``FilesQuarantined`` counts accepted files); the check is
late when any evidence is 0 or less. Nothing here calls AWS: :func:`late` takes the sums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: CloudWatch namespace and name of the verdict the check publishes (1 late, 0 on time).
NAMESPACE = "Silolake/Flows"
FLOW_LATE = "FlowLate"


@dataclass(frozen=True)
class Term:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    weight: int = 1


@dataclass(frozen=True)
class Evidence:
    """One thing that must have happened in the window (``received``, ``conformed``)."""

    name: str
    terms: tuple[Term, ...]


def parse_evidence(raw: Sequence[Mapping[str, Any]]) -> tuple[Evidence, ...]:
    """The check input's ``evidence`` list; ValueError names the malformed entry."""
    out = []
    for i, item in enumerate(raw):
        try:
            terms = tuple(
                Term(t["namespace"], t["metric"], tuple((k, v) for k, v in t["dimensions"]), int(t.get("weight", 1)))
                for t in item["terms"]
            )
            out.append(Evidence(str(item["name"]), terms))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"evidence[{i}] is malformed: {exc!r}") from exc
        if not terms:
            raise ValueError(f"evidence[{i}] has no terms")
    if not out:
        raise ValueError("a check needs at least one evidence")
    return tuple(out)


def values(evidence: Sequence[Evidence], sums: Mapping[Term, float]) -> dict[str, float]:
    """Each evidence's weighted sum (a term with no data counts 0)."""
    return {e.name: sum(t.weight * sums.get(t, 0.0) for t in e.terms) for e in evidence}


def late(evidence: Sequence[Evidence], sums: Mapping[Term, float]) -> list[str]:
    """Names of the evidence that is missing (value <= 0); empty when the flow is on time."""
    return [name for name, value in values(evidence, sums).items() if value <= 0]
