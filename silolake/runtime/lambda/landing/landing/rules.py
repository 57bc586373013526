"""Pure rules of the landing function: configuration, dropzone key layout, file checks, target keys.

No AWS calls here: everything takes bytes, sizes and strings, so each rule is tested directly.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import zlib
from dataclasses import dataclass
from urllib.parse import quote

__all__ = [
    "HEAD_BYTES",
    "ConfigError",
    "DropKey",
    "FlowRule",
    "check_content",
    "check_name",
    "check_size",
    "ingest_date",
    "parse_flows",
    "parse_key",
    "quarantine_key",
    "raw_key",
    "status_key",
    "status_record",
    "STATUS_PREFIX",
    "metadata_value",
    "tag_value",
]

#: Bytes read from the start of a file to check its header (a ranged GET; never the whole file).
HEAD_BYTES = 64 * 1024
#: Suffixes accepted per format; ``.gz`` may follow json and csv (Spark reads gzip by suffix).
SUFFIXES = {"json": (".json", ".jsonl", ".ndjson"), "csv": (".csv",), "parquet": (".parquet",)}
COMPRESSIBLE = ("json", "csv")
PARQUET_MAGIC = b"PAR1"
_FLOW = re.compile(r"^[a-z][a-z0-9_]*$")
_TAG_UNSAFE = re.compile(r"[^\w .:/=+\-@]")


class ConfigError(ValueError):
    """The function's environment is not the documented shape (a deployment bug, not a file problem)."""


@dataclass(frozen=True)
class FlowRule:
    """What a file of one flow must look like. ``columns``: names, in order (the CSV header)."""

    name: str
    format: str
    max_bytes: int
    columns: tuple[str, ...] = ()
    csv_delimiter: str = ","
    csv_header: bool = True
    #: Raw prefix (without ``/``) the flow's files land under: its data name, which a new
    #: schema version moves (``<flow>_v2``); empty: the dropzone folder's name.
    raw_prefix: str = ""


@dataclass(frozen=True)
class DropKey:
    """A dropzone key in the layout ``<partner>/<flow>/<file>``."""

    partner: str
    flow: str
    file: str


def parse_flows(text: str) -> dict[str, FlowRule]:
    """The ``FLOWS`` variable: ``{flow: {"format", "max_bytes", "csv": {"delimiter", "header"}, "columns": [..],
    "raw": <raw prefix, optional>}}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"FLOWS is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError("FLOWS must be a JSON object keyed by flow name")
    rules = {}
    for name, spec in data.items():
        if not _FLOW.match(name) or not isinstance(spec, dict):
            raise ConfigError(f"FLOWS[{name!r}] must be a flow name mapped to an object")
        fmt, max_bytes = spec.get("format"), spec.get("max_bytes")
        if fmt not in SUFFIXES:
            raise ConfigError(f"FLOWS[{name!r}].format must be one of {sorted(SUFFIXES)}, got {fmt!r}")
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1:
            raise ConfigError(f"FLOWS[{name!r}].max_bytes must be a positive integer, got {max_bytes!r}")
        columns = spec.get("columns", [])
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise ConfigError(f"FLOWS[{name!r}].columns must be a list of names")
        csv_spec = spec.get("csv") or {}
        delimiter, header = csv_spec.get("delimiter", ","), csv_spec.get("header", True)
        if not isinstance(delimiter, str) or len(delimiter) != 1 or not isinstance(header, bool):
            raise ConfigError(f"FLOWS[{name!r}].csv must be {{'delimiter': one character, 'header': bool}}")
        if fmt == "csv" and header and not columns:
            raise ConfigError(f"FLOWS[{name!r}] checks a CSV header but declares no columns")
        raw_prefix = spec.get("raw", "")
        if not isinstance(raw_prefix, str) or raw_prefix and not _FLOW.match(raw_prefix):
            raise ConfigError(f"FLOWS[{name!r}].raw must be a flow's data name, got {raw_prefix!r}")
        rules[name] = FlowRule(name, fmt, max_bytes, tuple(columns), delimiter, header, raw_prefix)
    return rules


def parse_key(key: str) -> DropKey | None:
    """The parts of ``<partner>/<flow>/<file>``, or ``None`` for any other shape (deeper, shallower, empty parts)."""
    parts = key.split("/")
    if len(parts) != 3 or not all(parts) or parts[2] in (".", ".."):
        return None
    return DropKey(*parts)


def check_name(rule: FlowRule, file: str) -> str | None:
    """Reason the file name does not fit the flow's format, or ``None``."""
    name = file.lower()
    if rule.format in COMPRESSIBLE and name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(SUFFIXES[rule.format]):
        return None
    allowed = ", ".join(SUFFIXES[rule.format]) + (" (optionally .gz)" if rule.format in COMPRESSIBLE else "")
    return f"file name {file!r} does not fit format {rule.format} (expected {allowed})"


def check_size(rule: FlowRule, size: int) -> str | None:
    if size == 0:
        return "empty file"
    if size > rule.max_bytes:
        return f"file of {size} bytes exceeds the flow's limit of {rule.max_bytes} bytes"
    return None


def _text_head(file: str, head: bytes) -> str:
    if file.lower().endswith(".gz"):
        try:  # a prefix of a gzip stream decompresses to a prefix of the text
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
        except zlib.error as exc:
            raise ValueError(f"not a readable gzip file ({exc})") from exc
    try:  # incremental: the head may end inside a multi-byte character
        text: str = codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (invalid byte at offset {exc.start})") from exc
    return text.lstrip("\ufeff")


def check_content(rule: FlowRule, file: str, head: bytes, tail: bytes, complete: bool) -> str | None:
    """Reason the first (and, for Parquet, last) bytes do not fit the flow, or ``None``.

    ``head``: the first :data:`HEAD_BYTES` bytes; ``tail``: the last 4 bytes (Parquet footer
    magic); ``complete``: ``head`` is the whole file (a header line may then end without newline).
    """
    if rule.format == "parquet":
        if not head.startswith(PARQUET_MAGIC) or not tail.endswith(PARQUET_MAGIC):
            return "not a Parquet file (no PAR1 magic at both ends)"
        return None
    try:
        text = _text_head(file, head)
    except ValueError as exc:
        return str(exc)
    if rule.format == "json":
        first = text.lstrip()[:1]
        return None if first == "{" else f"not JSON lines (first character {first!r}, expected '{{')"
    if not rule.csv_header:
        return None
    newline = text.find("\n")
    if newline < 0 and not complete:
        return f"CSV header line longer than {HEAD_BYTES} bytes"
    line = text if newline < 0 else text[:newline]
    try:
        header = next(csv.reader(io.StringIO(line.rstrip("\r")), delimiter=rule.csv_delimiter), [])
    except csv.Error as exc:
        return f"unreadable CSV header ({exc})"
    got = [h.strip().lower() for h in header]
    if got != list(rule.columns):
        return (
            f"CSV header {rule.csv_delimiter.join(got)!r} does not match the flow's columns "
            f"{rule.csv_delimiter.join(rule.columns)!r}"
        )
    return None


def ingest_date(event_time: str) -> str:
    """``YYYY-MM-DD`` (UTC) of the event's time, e.g. ``2024-05-01T23:59:58Z`` -> ``2024-05-01``.

    The event's time, not the clock: a redelivered event lands on the same key."""
    when = dt.datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).date().isoformat()


def raw_key(drop: DropKey, day: str, prefix: str = "") -> str:
    """``<prefix>/ingest_date=YYYY-MM-DD/<partner>__<file>``: the raw layout the Glue tables read.

    ``prefix``: the flow's raw prefix (:attr:`FlowRule.raw_prefix`), the dropzone folder when empty.
    A ``.gz`` suffix in any case is written as ``.gz`` (``X.CSV.GZ`` -> ``X.CSV.gz``).
    """
    file = drop.file
    if file.lower().endswith(".gz"):  # Spark picks the gzip codec by the exact, lower-case suffix
        file = file[:-3] + ".gz"
    return f"{prefix or drop.flow}/ingest_date={day}/{drop.partner}__{file}"


#: Where landing writes what it decided about each file (``silolake.policy.dropzone``).
STATUS_PREFIX = "_status/"


def status_key(key: str) -> str | None:
    """``_status/<key>.json`` (``_status/<partner>/<flow>/<file>.json`` for keys in the layout);
    ``None`` for a key at the bucket's root, which names no partner who could read it."""
    return f"{STATUS_PREFIX}{key}.json" if "/" in key.strip("/") else None


def status_record(key: str, size: int, status: str, reason: str, decided_at: str) -> dict[str, object]:
    """The status record of a dropzone object (format documented in ``docs/partners.md``):
    ``key``, ``partner``, ``flow`` and ``file`` (``""`` when the key is outside the layout),
    ``size`` (bytes), ``status`` (``landed`` or ``quarantined``), ``reason`` (``""`` when landed)
    and ``decided_at`` (the event's time, ISO 8601 UTC)."""
    parts = key.split("/")
    drop = parse_key(key)
    return {
        "key": key,
        "partner": parts[0],
        "flow": drop.flow if drop else "",
        "file": parts[-1],
        "size": size,
        "status": status,
        "reason": reason,
        "decided_at": decided_at,
    }


def check_grant(drop: DropKey, granted: frozenset[str] | None) -> str | None:
    """Reason the partner's credential does not cover the file's flow, or ``None``.

    ``granted``: the flows on the credential's role (``None``: a credential created before
    credentials named flows, which may send every flow)."""
    if granted is None or drop.flow in granted:
        return None
    allowed = ", ".join(sorted(granted)) or "none"
    return f"the credential {drop.partner!r} may not send flow {drop.flow!r} (it may send: {allowed})"


def quarantine_key(key: str) -> str:
    """``_quarantine/<original key>`` (``_quarantine/<partner>/<flow>/<file>`` for keys in the layout)."""
    return f"_quarantine/{key}"


def metadata_value(text: str, limit: int = 1024) -> str:
    """S3 user metadata travels as HTTP headers: ASCII only. Non-ASCII is percent-encoded (reversible)."""
    return quote(text, safe=" /:=+-_.,;'()[]{}<>@!?*#$&\"")[:limit]


def tag_value(text: str) -> str:
    """An S3 tag value: at most 256 characters from the allowed set (others become spaces)."""
    return _TAG_UNSAFE.sub(" ", text)[:256]
