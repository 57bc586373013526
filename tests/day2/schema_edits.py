"""Catalog edits derived from the JSON Schema (``silolake/catalog/silos.schema.json``).

:func:`edits` walks the schema beside a catalog's data and yields, for every key the
schema allows there, the edits a platform team makes: toggle a boolean, remove an
optional key, change a value (another enum member, a bound of a number, another string),
add an optional key with a value, reorder a list, remove a list item, rename a list item
(its ``name``). Each edit is a key path plus a function changing a deep copy of the data.
The bounded test (``test_generated_edits.py``) samples them with a fixed seed; the
exhaustive run is ``benchmarks/day2_invariant.py``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from silolake.catalog.schema import inlined_schema

Change = Callable[[Any], Any]  # the new value from the old (or _REMOVE)

_REMOVE = object()


@dataclass(frozen=True)
class Edit:
    path: tuple[str | int, ...]
    kind: str  # toggle, remove, value, add, reorder, drop-item, rename-item
    new: Any  # the new value, or _REMOVE

    @property
    def key(self) -> str:
        """The schema key edited (list positions as ``[]``), e.g. ``silos[].flows[].warehouse``."""
        return ".".join("[]" if isinstance(p, int) else p for p in self.path).replace(".[]", "[]")

    def apply(self, data: Any) -> Any:
        out = copy.deepcopy(data)
        node = out
        for step in self.path[:-1]:
            node = node[step]
        last = self.path[-1]
        if self.new is _REMOVE:
            del node[last]
        else:
            node[last] = copy.deepcopy(self.new)
        return out

    def __str__(self) -> str:
        shown = "removed" if self.new is _REMOVE else repr(self.new)[:60]
        return f"{self.kind} {'.'.join(map(str, self.path))} -> {shown}"


def _types(schema: dict) -> set[str]:
    t = schema.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def _changed_value(schema: dict, value: Any) -> Any:
    """Another valid-looking value for ``schema`` (or the same when none is known)."""
    if "enum" in schema:
        others = [v for v in schema["enum"] if v != value]
        return others[0] if others else value
    kinds = _types(schema)
    if isinstance(value, bool) or "boolean" in kinds:
        return not value
    if isinstance(value, int) or "integer" in kinds:
        bound = schema.get("maximum") if value != schema.get("maximum") else schema.get("minimum")
        return bound if bound is not None else (value or 0) + 1
    if isinstance(value, str):
        return value + "2"
    return value


def _sample_value(schema: dict) -> Any:
    """A value for an optional key the data lacks."""
    if "default" in schema and schema["default"] not in (None, {}, []):
        return _changed_value(schema, schema["default"])
    if "enum" in schema:
        return schema["enum"][0]
    kinds = _types(schema)
    if "boolean" in kinds:
        return True
    if "integer" in kinds:
        return schema.get("minimum", 1)
    return None


def edits(schema: dict, data: Any, path: tuple[str | int, ...] = ()) -> Iterator[Edit]:
    """Every edit of ``data`` the schema node ``schema`` suggests, recursively."""
    props = schema.get("properties")
    if isinstance(props, dict) and isinstance(data, dict):
        required = set(schema.get("required", ()))
        for key, sub in props.items():
            here = (*path, key)
            if key in data:
                value = data[key]
                if key not in required:
                    yield Edit(here, "remove", _REMOVE)
                if isinstance(value, bool):
                    yield Edit(here, "toggle", not value)
                elif isinstance(value, (str, int)) and not isinstance(value, bool):
                    yield Edit(here, "value", _changed_value(sub, value))
                yield from edits(sub, value, here)
            else:
                sample = _sample_value(sub)
                if sample is not None:
                    yield Edit(here, "add", sample)
    items = schema.get("items")
    if isinstance(items, dict) and isinstance(data, list) and data:
        if len(data) > 1:
            yield Edit(path, "reorder", list(reversed(data)))
            for i in range(len(data)):
                yield Edit(path, "drop-item", data[:i] + data[i + 1 :])
        for i, item in enumerate(data):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                yield Edit((*path, i, "name"), "rename-item", item["name"] + "2")
            yield from edits(items, item, (*path, i))


def catalog_edits(data: Any) -> list[Edit]:
    return list(edits(inlined_schema(), data))


def sample(
    all_edits: list[Edit], per_key: int, seed: int, prefix: tuple[str | int, ...] = (), limit: int | None = None
) -> list[Edit]:
    """Up to ``per_key`` edits per (schema key, kind) under ``prefix``, chosen with ``seed``;
    with ``limit``, at most that many, every kind of edit kept (one of each first)."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[Edit]] = {}
    for e in all_edits:
        if e.path[: len(prefix)] == prefix:
            groups.setdefault((e.key, e.kind), []).append(e)
    chosen = []
    for group in sorted(groups):
        pool = groups[group]
        chosen += rng.sample(pool, min(per_key, len(pool)))
    if limit is None or len(chosen) <= limit:
        return chosen
    first = {e.kind: e for e in rng.sample(chosen, len(chosen))}
    rest = [e for e in chosen if e not in first.values()]
    return list(first.values()) + rng.sample(rest, max(0, limit - len(first)))
