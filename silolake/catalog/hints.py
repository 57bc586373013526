"""One clear message instead of a cascade for mistakes YAML itself turns into others.

An unquoted ``decimal(12,2)`` inside a flow mapping ``{name: amount, type: decimal(12,2)}``
is split by YAML at the comma: the column gets ``type: "decimal(12"`` and a stray key
``"2)"`` with no value, which the schema and the type parser would report as two or more
unrelated problems. :func:`quoting_hints` recognises the pattern (a type with unbalanced
brackets plus value-less keys that close them) and reports it once.
"""

from __future__ import annotations

from .errors import Problem
from .source import SourceDoc

_OPEN, _CLOSE = "(<", ")>"


def _balanced(text: str) -> bool:
    return sum(text.count(c) for c in _OPEN) == sum(text.count(c) for c in _CLOSE)


def quoting_hints(doc: SourceDoc) -> list[Problem]:
    data = doc.data if isinstance(doc.data, dict) else {}
    hints = []
    silos = data.get("silos")
    for i, silo in enumerate(silos if isinstance(silos, list) else []):
        flows = silo.get("flows") if isinstance(silo, dict) else None
        for j, flow in enumerate(flows if isinstance(flows, list) else []):
            columns = flow.get("columns") if isinstance(flow, dict) else None
            for k, col in enumerate(columns if isinstance(columns, list) else []):
                if not isinstance(col, dict) or not isinstance(col.get("type"), str) or _balanced(col["type"]):
                    continue
                stray = [key for key, value in col.items() if value is None and isinstance(key, str)]
                whole = ",".join([col["type"], *stray])
                if stray and _balanced(whole):
                    hints.append(
                        doc.problem(
                            ("silos", i, "flows", j, "columns", k, "type"),
                            f"YAML split the unquoted type {whole} at its comma inside {{...}}; "
                            f'quote the type: type: "{whole}"',
                        )
                    )
    return hints


def with_hints(doc: SourceDoc, problems: list[Problem]) -> list[Problem]:
    """``problems`` with each quoting mistake reported once: the hint replaces every other
    problem located in the same column."""
    hints = quoting_hints(doc)
    if not hints:
        return problems
    columns = {h.path.rsplit(".", 1)[0] for h in hints}
    kept = [p for p in problems if not any(p.path == c or p.path.startswith((c + ".", c + "[")) for c in columns)]
    return kept + hints


__all__ = ["quoting_hints", "with_hints"]
