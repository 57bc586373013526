"""The ingestion channels (``api``, ``sftp``, ``upload``): one registry, :mod:`.registry`.

Re-exported here, so ``from silolake import channels; channels.channel(flow.source)`` reads
well. Imports nothing of silolake: every room may depend on it.
"""

from .registry import (
    API,
    CHANNELS,
    FILE_SOURCES,
    FIREHOSE_SOURCES,
    SFTP,
    UPLOAD,
    Channel,
    ChannelName,
    Format,
    Landing,
    SignIn,
    channel,
    find,
    schema_enum,
)

__all__ = [
    "API",
    "CHANNELS",
    "FILE_SOURCES",
    "FIREHOSE_SOURCES",
    "SFTP",
    "UPLOAD",
    "Channel",
    "ChannelName",
    "Format",
    "Landing",
    "SignIn",
    "channel",
    "find",
    "schema_enum",
]
