"""Rule: a silo's upload page turned off (guarded): the page and the dropzone's CORS rule go;
with no partner channel left, partner access is forgotten (``removed { destroy = false }``)."""

from __future__ import annotations

from typing import Any

from ...channels import API
from .base import Change, Locator, Pair


def partner_access_gone(silo: dict[str, Any]) -> str:
    """What a silo snapshot with a partner channel gone also forgets: partner access, when
    no channel (SFTP on or kept, upload page, api flow) is left; "" otherwise."""
    left = silo["sftp"] != "off" or silo["web_upload"] or any(f["source"] == API.name for f in silo["flows"].values())
    return (
        ""
        if left
        else "; with no partner channel left, partner access's user pool, users, lockout table, pages' "
        "distribution and buckets and function logs are forgotten (removed, destroy = false)"
    )


def upload_turned_off(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or not pair.old.get("web_upload") or pair.new["web_upload"]:
        return []
    return [
        Change(
            "upload channel turned off",
            f"silo '{pair.name}'",
            "guarded",
            "the upload page and the dropzone's CORS rule go, partner credentials lose the dropzone"
            + partner_access_gone(pair.new),
        )
    ]
