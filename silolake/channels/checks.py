"""What a flow's channel requires of the raw catalog: the checks JSON Schema cannot express.

Pure (no catalog import): :meth:`silolake.catalog.semantic.Checker.check_source` locates each
finding under the flow's key path and reports it. The data is raw YAML that may already have
failed the schema, so every shape is guarded, and an unknown source yields nothing (the
schema's enum reports it, with the names from :mod:`.registry`).
"""

from __future__ import annotations

from typing import Any

from .registry import FIREHOSE_SOURCES, find

#: Smallest Firehose buffer, in MB, when the stream converts records to Parquet (AWS refuses
#: less: https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html).
PARQUET_MIN_BUFFER_MB = 64
#: A finding: the key path below the flow (``("buffer", "mb")``) and the message.
Finding = tuple[tuple[str, ...], str]


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def flow_findings(flow: dict, ingestion: dict) -> list[Finding]:
    """What is wrong with ``flow`` (a raw ``silos[].flows[]`` entry) for its channel, given the
    silo's raw ``ingestion`` block: a format other than the channel's only one, a Firehose
    buffer too small for Parquet conversion, a ``throttle`` on a flow without an ingestion
    API, or a channel whose ``ingestion.<switch>.enabled`` is not true."""
    out: list[Finding] = []
    channel = find(flow.get("source"))
    fixed = channel.catalog_format if channel else None
    if channel and fixed and flow.get("format", fixed) != fixed:
        out.append(
            (
                ("format",),
                f"{channel.name} flows receive {fixed.upper()} {channel.carries}; remove format or set it to {fixed}",
            )
        )
    if channel and channel.landing == "firehose":
        mb = _dict(flow.get("buffer")).get("mb", 128)
        if channel.raw_format == "parquet" and isinstance(mb, int) and mb < PARQUET_MIN_BUFFER_MB:
            out.append(
                (
                    ("buffer", "mb"),
                    f"buffer of {mb} MB is too small: Firehose converts {channel.name} flows "
                    f"to Parquet, which needs a buffer of at least {PARQUET_MIN_BUFFER_MB} MB",
                )
            )
    elif "throttle" in flow:
        # The throttle is the ingestion API's, which only Firehose channels' flows sit behind.
        api = "/".join(FIREHOSE_SOURCES)
        out.append((("throttle",), f"throttle applies to the ingestion API: only {api} flows have one"))
    switch = channel.switch if channel else None
    if channel and switch and _dict(ingestion.get(switch)).get("enabled") is not True:
        out.append(
            (
                ("source",),
                f"flow receives {channel.carries} by {channel.label}, but this silo's "
                f"ingestion.{switch}.enabled is not true; enable it or change the source",
            )
        )
    return out
