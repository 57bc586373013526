"""Rule: a silo's SFTP channel switched. Turning it off in one step is refused (guarded): it
would leave the endpoint and host key partners pinned behind; the server is kept first
(``sftp.keep_server: true``: every sign-in refused, endpoint and host key stay), forgotten in a
later change (``removed { destroy = false }``, :mod:`silolake.stacks.continuity`)."""

from __future__ import annotations

from .base import Change, Locator, Pair
from .upload import partner_access_gone

_GONE = (
    "the Transfer server and its log groups are forgotten (removed, destroy = false): they stay in AWS, "
    "billed hourly until deleted; enabling SFTP again creates a new endpoint and host key"
)


def sftp_changed(pair: Pair, at: Locator) -> list[Change]:
    """``on``, ``kept`` or ``off`` (:func:`.snapshot.sftp_state`); manifests without it are not compared."""
    if pair.old is None or pair.new is None or "sftp" not in pair.old or pair.old["sftp"] == pair.new["sftp"]:
        return []
    before, after, subject = pair.old["sftp"], pair.new["sftp"], f"silo '{pair.name}'"
    if before == "on" and after == "off":
        return [
            Change(
                "SFTP turned off",
                subject,
                "guarded",
                "would take the Transfer server (the endpoint and host key partners pinned) and its logs out of "
                "configuration",
                f"silo '{pair.name}' turns SFTP off (it is on in the {at.cited}). Add keep_server: true to "
                "ingestion.sftp: the server, its endpoint, host key and logs stay while every sign-in is refused, "
                "and enabling SFTP again reuses them. Drop keep_server in a later change to forget the server (it "
                "stays in AWS until deleted)",
                at.silo(pair.name, "ingestion", "sftp", "enabled"),
            )
        ]
    if after == "kept":
        effect = (
            "the Transfer server, endpoint, host key and logs (its own and the identity provider's) stay; the "
            "identity provider function goes, so every sign-in is refused, and partner credentials lose the channel"
        )
        return [Change("SFTP turned off, server kept", subject, "guarded", effect)]
    if after == "off":
        return [Change("SFTP server forgotten", subject, "guarded", _GONE + partner_access_gone(pair.new))]
    effect = "the kept server takes sign-ins again (same endpoint and host key)" if before == "kept" else "new server"
    return [Change("SFTP turned on", subject, "safe", effect)]
