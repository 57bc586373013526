"""Rule: analytics consumers removed, moved, or reading other silos."""

from __future__ import annotations

from .base import Change


def consumer_changes(
    name: str, old: dict, now: dict | None, consumer_at: dict[str, int], base_name: str
) -> list[Change]:
    subject = f"analytics '{name}'"
    if now is None:
        return [
            Change(
                "analytics consumer removed",
                subject,
                "guarded",
                "its stack is no longer synthesized or planned; its workspaces, data and state stay",
            )
        ]
    changes = []
    for key in ("account_id", "region"):
        if old.get(key) and now[key] != old[key]:
            changes.append(
                Change(
                    f"analytics {key.replace('_id', '')} changed",
                    subject,
                    "impossible",
                    "its workspaces and state stay where they are",
                    f"analytics consumer '{name}' changed {key} from {old[key]} (base {base_name}) to {now[key]}; "
                    "its workspaces and state stay there. Keep it; for another account or region add a consumer "
                    "under a new name and remove this one",
                    ("analytics", consumer_at.get(name, 0), key),
                )
            )
    if old["silos"] != now["silos"]:
        changes.append(
            Change(
                "analytics silos changed",
                subject,
                "safe",
                "sharing updated; a regional workspace no longer needed is forgotten (removed, destroy = false), "
                "its key and buckets stay",
            )
        )
    return changes
