"""Rule: a silo's upload page turned off (guarded): the page and the dropzone's CORS rule go;
with no partner channel left, partner access is forgotten (``removed { destroy = false }``)."""

from __future__ import annotations

from .base import Change, Locator, Pair


def upload_turned_off(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or not pair.old.get("web_upload") or pair.new["web_upload"]:
        return []
    return [
        Change(
            "upload channel turned off",
            f"silo '{pair.name}'",
            "guarded",
            "the upload page and the dropzone's CORS rule go, partner credentials lose the dropzone; with no "
            "channel left, partner access's user pool, users, pages' distribution and function logs are "
            "forgotten (removed, destroy = false)",
        )
    ]
