"""The ingestion channels, one record each: what every framework place knows about a channel.

A channel is how data reaches a silo; a flow names it as its ``source`` (``silos[].flows[].source``).
Everything the framework decides by channel reads it from :data:`CHANNELS` here: by trait
(a flow's landing, switch, formats), or through a channel's record (``API.name``) where the
code is that channel's own construct, never by a name spelled out (a test scans for one). A new
channel is one record plus the code of a trait not built yet (docs/contributing.md, "Add an
ingestion channel"):

- ``landing`` decides the path to the raw zone. ``"dropzone"``: partners drop *files* into the
  silo's dropzone bucket under ``<partner>/<flow>/`` (:mod:`silolake.policy.dropzone`); the
  landing function checks each file, quarantines the ones it refuses and copies the rest to
  raw, behind the malware hold if enabled (docs/etl.md). ``"firehose"``: *records* are put
  through the silo's ingestion API into one Firehose stream per flow, which buffers them and
  writes Parquet into raw (docs/ingestion-api.md); there is no file to quarantine.
- ``switch``: the ``silos[].ingestion.<switch>.enabled`` key that turns the channel on for a
  silo (a flow of the channel needs it true); ``None``: on wherever a flow uses it.
- ``catalog_format``: the only ``format`` a flow of the channel may declare (``None``: any of
  the schema's); ``raw_format``: what lands in raw when the channel converts (``None``: the
  data as received).
- ``sign_in``: how a partner holding a credential for the channel signs in: ``"transfer"``
  (the Transfer Family identity provider function) or ``"session"`` (``POST /session`` of the
  partner API vends temporary AWS credentials).
- ``label``: the partner-facing name, used in messages and in ``silolake diagram``.

Pure: imports nothing of silolake (the catalog, policy builders, constructs and review tools
all import it). Three places restate it, each tied to this table by
``tests/channels/test_registry.py``, as is :data:`ChannelName`:

- the flow ``source`` enum of ``silos.schema.json`` stays written in the file (editors
  validate and complete ``silos.yaml`` from the file as it is, through its modeline), in
  :func:`schema_enum` order;
- the partner functions (``partner_access``) and the admin page (``admin.js``) cannot import
  the framework. They already receive the silo's *enabled* channels (``CHANNELS`` in the
  environment, ``channels`` in ``config.json``, :mod:`silolake.partner_runtime`), but check
  stored credentials against *every* channel; handing them the whole table would change every
  deployed function's environment and bundle, so they keep their lists and the test compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Every channel's name, for static typing (``Flow.source``): the same names as :data:`CHANNELS`.
ChannelName = Literal["sftp", "upload", "api"]
#: The data formats of the catalog (``flows[].format``, the schema's enum) and of the raw zone.
Format = Literal["json", "csv", "parquet"]
Landing = Literal["dropzone", "firehose"]
SignIn = Literal["transfer", "session"]


@dataclass(frozen=True)
class Channel:
    """One ingestion channel (the module docstring gives each trait's meaning)."""

    name: ChannelName
    label: str
    landing: Landing
    switch: str | None
    catalog_format: Format | None
    raw_format: Format | None
    sign_in: SignIn

    @property
    def carries(self) -> Literal["files", "records"]:
        """What a partner sends: whole files (dropzone channels) or records (Firehose channels)."""
        return "files" if self.landing == "dropzone" else "records"

    @property
    def partner_files(self) -> bool:
        """Whether data arrives as files under named partners' dropzone folders (so per-partner
        expectations, the quarantine and the malware hold apply to its flows)."""
        return self.landing == "dropzone"


SFTP = Channel(
    name="sftp",
    label="SFTP",
    landing="dropzone",
    switch="sftp",
    catalog_format=None,
    raw_format=None,
    sign_in="transfer",
)
UPLOAD = Channel(
    name="upload",
    label="web upload",
    landing="dropzone",
    switch="web_upload",
    catalog_format=None,
    raw_format=None,
    sign_in="session",
)
API = Channel(
    name="api",
    label="HTTPS API",
    landing="firehose",
    switch=None,
    catalog_format="json",
    raw_format="parquet",
    sign_in="session",
)

#: The registry, in the order a credential lists its channels (the partner functions'
#: ``CHANNELS`` environment variable, the admin page's check boxes).
CHANNELS: tuple[Channel, ...] = (SFTP, UPLOAD, API)
_BY_NAME: dict[str, Channel] = {c.name: c for c in CHANNELS}

#: Sources whose flows receive files from named partners through the dropzone.
FILE_SOURCES: tuple[ChannelName, ...] = tuple(c.name for c in CHANNELS if c.partner_files)
#: Sources whose flows land through a Firehose stream.
FIREHOSE_SOURCES: tuple[ChannelName, ...] = tuple(c.name for c in CHANNELS if c.landing == "firehose")


def channel(name: ChannelName) -> Channel:
    """The channel of a validated flow's ``source``; ``KeyError`` for a name not in the registry."""
    return _BY_NAME[name]


def find(name: object) -> Channel | None:
    """The channel called ``name``, or ``None`` (raw catalog data, before or despite the schema)."""
    return _BY_NAME.get(name) if isinstance(name, str) else None


def schema_enum() -> list[str]:
    """The flow ``source`` enum of ``silolake/catalog/silos.schema.json``: the names,
    alphabetical (the order the schema's messages list them in)."""
    return sorted(_BY_NAME)
