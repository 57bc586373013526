"""What the partner runtime is given: the functions' environment, the web pages
(``silolake/runtime/pages/``) built into static assets, and the pages' runtime configuration.

Pure (no cdktf): the constructs of :mod:`silolake.constructs.partner` and
``silolake portal`` both use it, so the local portal runs what a deployment runs.

The pages as static assets, built deterministically.

The pages are plain HTML, CSS and JavaScript (no bundler, no npm dependencies): the
"build" copies the files in a fixed order and hashes them, so the same folder always
gives the same asset directory, byte for byte, and its digest names it. Runtime settings
(API URL, user pool, bucket, region) are never in the build: the pages fetch
``config.json``, which Terraform writes at deploy (:func:`runtime_config`) and
``silolake portal`` serves locally. No cdktf here: the portal uses it too.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog.flow import Flow
from .catalog.model import Silo
from .channels import CHANNELS
from .runtime import runtime_path

PAGES = runtime_path("pages")
CONFIG_FILE = "config.json"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
DEFAULT_BUILD_DIR = Path(tempfile.gettempdir()) / "silolake-frontend-build"
#: What the upload page sends to the dropzone (its CORS rule): POST creates and completes a
#: multipart upload, PUT sends a part or a small file, DELETE aborts a multipart upload that
#: failed, GET reads what landing decided about a file (its status record).
CORS_METHODS = ["DELETE", "GET", "POST", "PUT"]


@dataclass(frozen=True)
class Site:
    root: Path  # the built directory
    files: tuple[str, ...]  # relative paths, sorted
    sha256: str  # over names and contents


def content_type(name: str) -> str:
    """Content-Type of a page asset; ``ValueError`` for a file type the pages do not use."""
    suffix = Path(name).suffix
    if suffix not in CONTENT_TYPES:
        raise ValueError(f"pages/{name}: unexpected file type {suffix!r} (allowed: {sorted(CONTENT_TYPES)})")
    return CONTENT_TYPES[suffix]


def build_site(source: Path = PAGES, build_dir: Path = DEFAULT_BUILD_DIR) -> Site:
    """Copy ``source`` into ``<build_dir>/site-<sha256>`` (reused when present).

    ``config.json`` in the source is refused: it is written per deployment, never built.
    """
    files = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    if not files:
        raise ValueError(f"{source} has no files")
    if CONFIG_FILE in files:
        raise ValueError(f"{source}/{CONFIG_FILE} must not exist: it is written at deploy time")
    digest = hashlib.sha256()
    for name in files:
        content_type(name)
        data = (source / name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    sha = digest.hexdigest()
    target = Path(build_dir) / f"site-{sha}"
    if not target.exists():
        Path(build_dir).mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=build_dir))
        for name in files:
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, tmp / name)
        try:
            tmp.rename(target)
        except OSError:  # a concurrent build won the race with identical content
            shutil.rmtree(tmp)
    return Site(target, tuple(files), sha)


def runtime_config(
    *,
    region: str,
    api_url: str,
    bucket: str,
    bucket_url: str,
    user_pool_id: str,
    client_id: str,
    auth_url: str,
    channels: list[str],
    local_sign_in: bool = False,
) -> dict:
    """What the pages read from ``config.json``.

    ``bucket_url`` is where the upload page sends S3 requests for ``bucket``: an object is
    ``<bucket_url>/<key>`` (``https://<bucket>.s3.<region>.amazonaws.com`` in AWS);
    ``auth_url`` the Cognito hosted UI base (``https://<domain>.auth.<region>.amazoncognito.com``);
    ``channels`` the silo's channels (``CHANNELS``). ``local_sign_in`` is only ever
    true in ``silolake portal``: the admin page then shows the portal's labelled stand-in
    for Cognito instead of redirecting to the hosted UI.
    """
    return {
        "region": region,
        "apiUrl": api_url,
        "bucket": bucket,
        "bucketUrl": bucket_url,
        "userPoolId": user_pool_id,
        "clientId": client_id,
        "authUrl": auth_url,
        "channels": list(channels),
        "localSignIn": local_sign_in,
    }


def channels(silo: Silo, has_flow_api: bool) -> list[str]:
    """Channels a credential of this silo may be granted (``CHANNELS``), in registry order: those
    whose ingestion switch is on, and those without a switch when the silo has a flow API."""
    return [c.name for c in CHANNELS if (silo.ingestion.switched_on(c) if c.switch else has_flow_api)]


def function_environment(
    *,
    org: str,
    silo: Silo,
    dropzone_bucket: str,
    key_arn: str,
    flow_api_arns: Sequence[str],
    allowed_cidrs: Sequence[str] | None = None,
) -> dict[str, str]:
    """The catalog-derived part of the partner functions' environment
    (``silolake/runtime/lambda/partner/README.md``); ``allowed_cidrs`` defaults to the silo's
    ``ingestion.sftp.allowed_cidrs`` (every sign-in must come from inside them)."""
    env = {
        "ORGANIZATION": org,
        "SILO": silo.name,
        "DROPZONE_BUCKET": dropzone_bucket,
        "KMS_KEY_ARN": key_arn,
        "CHANNELS": ",".join(channels(silo, bool(flow_api_arns))),
        "MAX_DAYS": str(silo.ingestion.partner_credential_max_days),
        "ALLOWED_CIDRS": ",".join(silo.ingestion.sftp_allowed_cidrs if allowed_cidrs is None else allowed_cidrs),
        "DECOMMISSIONED": "true" if silo.decommission else "false",
        "POWERTOOLS_SERVICE_NAME": "silolake-partner",
    }
    if flow_api_arns:
        env["FLOW_API_ARNS"] = ",".join(flow_api_arns)
    env["FLOWS"] = json.dumps(partner_flows(silo), separators=(",", ":"))
    return env


def landing_flows(flows: tuple[Flow, ...], max_bytes: int) -> dict[str, Any]:
    """The landing function's ``FLOWS`` environment: ``{flow: {format, max_bytes, csv, columns}}``
    (here, not in the constructs, so ``silolake portal`` runs landing without cdktf).

    ``columns`` are the declared names in order (the landing check compares a CSV header
    with them); ``max_bytes`` is the largest file accepted (bigger ones are quarantined).
    Keyed by the dropzone folder (``storage_name``); ``raw``, the raw prefix, only when it
    differs (``data_name`` of a flow at ``schema_version`` 2 or more): the environment stays
    compact and a version-1 flow's variable is unchanged.
    """
    return {
        f.storage_name: {
            "format": f.format,
            "max_bytes": max_bytes,
            "csv": {"delimiter": f.csv_delimiter, "header": f.csv_header},
            "columns": [c.name for c in f.columns],
            **({"raw": f.data_name} if f.data_name != f.storage_name else {}),
        }
        for f in flows
    }


def partner_flows(silo: Silo) -> dict[str, dict]:
    """``FLOWS`` of the partner functions, keyed by the flow's name in the dropzone (its
    ``storage_name``): each flow's channel (``source``), ``format`` and
    ``columns`` (a credential names the flows it may send; the upload page shows format and
    columns). A compact map: Lambda caps a function's whole environment at 4 KB."""
    return {
        flow.storage_name: {"source": flow.source, "format": flow.format, "columns": [c.name for c in flow.columns]}
        for flow in silo.flows
    }
