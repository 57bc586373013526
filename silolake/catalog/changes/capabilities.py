"""Rule: what a silo can do, switched off or changed: the warehouse, the SFTP and upload
channels, the owners.

Synth never destroys what these capabilities hold (``silolake.stacks.continuity``
forgets it with ``removed { destroy = false }``); this rule says what Terraform will do,
and refuses turning SFTP off in one step, which would leave partners' pinned endpoint and
host key behind: the server is kept first (``sftp.keep_server: true``), forgotten in a later
change.
"""

from __future__ import annotations

from .base import Change

_SFTP_GONE = (
    "the Transfer server and its log groups are forgotten (removed, destroy = false): they stay in AWS, "
    "billed hourly until deleted; enabling SFTP again creates a new endpoint and host key"
)


def capability_changes(silo: str, i: int, old: dict, now: dict, base_name: str) -> list[Change]:
    """Changes of ``silo`` (at ``silos[i]`` in the new catalog); keys a base predating them
    lacks are not compared."""
    subject = f"silo '{silo}'"
    out: list[Change] = []
    if all("warehouse" in f for f in old["flows"].values()):
        had = any(f.get("warehouse") for f in old["flows"].values())
        has = any(f.get("warehouse") for f in now["flows"].values())
        if had and not has:
            out.append(
                Change(
                    "warehouse retired",
                    subject,
                    "guarded",
                    "the Redshift Serverless namespace and workgroup and the VPC they sit in are forgotten "
                    "(removed, destroy = false): the warehouse's tables stay in the namespace, billed for storage; "
                    "the load roles go",
                )
            )
        elif has and not had:
            out.append(Change("warehouse added", subject, "safe", "new namespace, workgroup and VPC"))
    if "sftp" in old:
        out += _sftp(subject, i, old["sftp"], now["sftp"], base_name)
    if old.get("web_upload") and not now["web_upload"]:
        out.append(
            Change(
                "upload channel turned off",
                subject,
                "guarded",
                "the upload page and the dropzone's CORS rule go, partner credentials lose the dropzone; with no "
                "channel left, partner access's user pool, users, pages' distribution and function logs are "
                "forgotten (removed, destroy = false)",
            )
        )
    if "owners" in old and old["owners"] != now["owners"]:
        gone = [o for o in old["owners"] if o not in now["owners"]]
        effect = "Cognito users and alert subscriptions are keyed by e-mail: the others' stay at their addresses"
        if gone:
            effect += f"; {', '.join(gone)}: Cognito user deleted (access revoked), alert subscription ended"
        out.append(Change("owners changed", subject, "safe", effect))
    return out


def _sftp(subject: str, i: int, before: str, after: str, base_name: str) -> list[Change]:
    if before == after:
        return []
    if before == "on" and after == "off":
        return [
            Change(
                "SFTP turned off",
                subject,
                "guarded",
                "would take the Transfer server (the endpoint and host key partners pinned) and its logs out of "
                "configuration",
                f"{subject[0].upper()}{subject[1:]} turns SFTP off (on in the base, {base_name}). Add keep_server: "
                "true to ingestion.sftp: the server, its endpoint, host key and logs stay while every sign-in is "
                "refused, and enabling SFTP again reuses them. Drop keep_server in a later change to forget the "
                "server (it stays in AWS until deleted)",
                ("silos", i, "ingestion", "sftp", "enabled"),
            )
        ]
    if after == "kept":
        return [
            Change(
                "SFTP turned off, server kept",
                subject,
                "guarded",
                "the Transfer server, endpoint, host key and logs stay; the identity provider function goes, so "
                "every sign-in is refused, and partner credentials lose the channel",
            )
        ]
    if after == "off":
        return [Change("SFTP server forgotten", subject, "guarded", _SFTP_GONE)]
    effect = "the kept server takes sign-ins again (same endpoint and host key)" if before == "kept" else "new server"
    return [Change("SFTP turned on", subject, "safe", effect)]
