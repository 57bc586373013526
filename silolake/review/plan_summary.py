"""``terraform show -json`` plans -> one Markdown review per pull request, with loud flags.

Input: the JSON plan representation (`format_version` 1.x,
<https://developer.hashicorp.com/terraform/internals/json-format>); what is read:
``resource_changes[].{address, type, change.{actions, before, after, after_unknown}, action_reason}``
and ``resource_drift`` (counted). Three flags are raised, each one a reason to read the
plan line by line before approving:

* **destroys data** / **replaces data** - a delete (alone, or as half of a replace) of a
  data-holding resource (:data:`DATA_HOLDING`). ``prevent_destroy`` normally makes such a
  plan fail; a plan that gets here with one means the protection itself was removed;
* **policy grows** - an IAM, bucket, key, Glue, SCP, ... policy whose new document allows
  more (:func:`silolake.review.policy_diff.grown`), a new grant resource (an attachment, a
  Lambda permission), a removed SCP attachment, or a policy Terraform only knows after apply;
* **sharing changes** - anything that changes who outside an account may read: the
  org-path-scoped statements of resource policies, Glue resource policies, Athena catalogs
  pointing at silo accounts, RAM shares and Lake Formation grants.

What the input cannot show is said, not summarized as "no changes": a file that is not a
plan (unreadable, empty, another format, a state) and a plan that errored are refused
(:class:`PlanError`, exit 2); an incomplete plan (``"complete": false``) is marked as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from . import policy_diff

__all__ = [
    "DATA_HOLDING",
    "Flag",
    "PlanError",
    "StackPlan",
    "load_plan",
    "render_markdown",
    "summarize_files",
    "summarize_plan",
]

#: Resource types whose destruction loses data or identity that cannot be recreated.
DATA_HOLDING = frozenset(
    {
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_glue_catalog_database",
        "aws_glue_catalog_table",
        "aws_kinesis_stream",
        "aws_kinesis_firehose_delivery_stream",
        "aws_organizations_account",
        "aws_secretsmanager_secret",
        "aws_redshift_cluster",
        "aws_redshiftserverless_namespace",
        "aws_redshiftserverless_workgroup",
        "aws_dynamodb_table",
        "aws_cloudwatch_log_group",
        "aws_transfer_server",
        "aws_sqs_queue",
        "aws_timestreamwrite_table",
        "aws_backup_vault",
        "aws_codecommit_repository",
    }
)

#: Policy-holding attributes by resource type (top-level attribute names; ``inline_policy``
#: of ``aws_iam_role`` is a list of blocks, each with a ``policy``).
POLICY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_iam_role": ("assume_role_policy", "inline_policy"),
    "aws_s3_bucket_policy": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_kms_key_policy": ("policy",),
    "aws_organizations_policy": ("content",),
    "aws_glue_resource_policy": ("policy",),
    "aws_api_gateway_rest_api_policy": ("policy",),
    "aws_api_gateway_rest_api": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_cloudwatch_event_bus_policy": ("policy",),
    "aws_secretsmanager_secret_policy": ("policy",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_kinesis_resource_policy": ("policy",),
    "aws_codebuild_resource_policy": ("policy",),
    "aws_codeartifact_repository_permissions_policy": ("policy_document",),
}

#: Creating one of these grants something new by itself.
GRANTS_ON_CREATE = frozenset(
    {
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_lambda_permission",
        "aws_kms_grant",
        "aws_lakeformation_permissions",
    }
)

#: Deleting one of these removes a guardrail: permissions grow.
GUARDRAIL_ON_DELETE = frozenset({"aws_organizations_policy_attachment", "aws_iam_role_policies_exclusive"})

#: Any change to one of these changes cross-account sharing.
SHARING_TYPES = frozenset(
    {
        "aws_glue_resource_policy",
        "aws_athena_data_catalog",
        "aws_ram_resource_share",
        "aws_ram_resource_association",
        "aws_ram_principal_association",
        "aws_lakeformation_permissions",
        "aws_lakeformation_resource",
    }
)

#: Condition keys that scope a statement to principals of other accounts in the organization.
_SHARING_KEYS = ("aws:principalorgpaths", "aws:principalorgid", "aws:resourceorgpaths")

DESTROYS, REPLACES, GROWS, SHARING = "destroys data", "replaces data", "policy grows", "sharing changes"
_ICON = {DESTROYS: "🛑", REPLACES: "🛑", GROWS: "⚠️", SHARING: "🔀"}

_SYMBOL = {
    ("create",): "+",
    ("update",): "~",
    ("delete",): "-",
    ("delete", "create"): "-/+",
    ("create", "delete"): "+/-",
    ("forget",): "forget",
}


class PlanError(UsageError, ValueError):
    """The file is not a ``terraform show -json`` plan this tool understands."""


@dataclass(frozen=True)
class Flag:
    kind: str  # DESTROYS | REPLACES | GROWS | SHARING
    address: str
    detail: str


@dataclass
class StackPlan:
    stack: str
    adds: int = 0
    changes: int = 0
    destroys: int = 0
    replaces: int = 0
    forgets: int = 0
    drifted: int = 0
    #: The plan says applying it would not converge (``"complete": false``: a ``-target``
    #: plan or deferred changes): more changes follow that this plan does not show.
    incomplete: bool = False
    flags: list[Flag] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)  # (symbol, address)

    @property
    def empty(self) -> bool:
        return not self.rows


def load_plan(path: Path) -> dict[str, Any]:
    """Read and check one ``terraform show -json`` file."""
    try:
        plan = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: not a readable JSON plan ({exc})") from exc
    version = str(plan.get("format_version", "")) if isinstance(plan, dict) else ""
    if not version.startswith("1."):
        raise PlanError(f"{path}: format_version {version or 'missing'} (expected 1.x from `terraform show -json`)")
    if "planned_values" not in plan and "resource_changes" not in plan:
        raise PlanError(f"{path}: a state, not a plan (no resource_changes); run `terraform show -json <planfile>`")
    if plan.get("errored"):
        # Terraform stopped at an error: the changes it lists are a part, "no changes" means nothing.
        raise PlanError(
            f'{path}: the plan errored ("errored": true) and lists only part of the changes; '
            "fix the errors `terraform plan` printed and plan again"
        )
    return plan


def _name_of(change: dict[str, Any]) -> str:
    for side in ("after", "before"):
        value = change.get(side) or {}
        for key in ("bucket", "name", "alias", "email", "stream_name"):
            if isinstance(value.get(key), str):
                return value[key]
    return ""


def _policies(rtype: str, value: dict[str, Any] | None) -> dict[str, Any]:
    """``{attribute path: policy document or None}`` of one side of a change."""
    out: dict[str, Any] = {}
    for attr in POLICY_ATTRIBUTES.get(rtype, ()):
        raw = (value or {}).get(attr)
        if attr == "inline_policy":
            for block in raw or []:
                out[f"inline_policy[{block.get('name', '')}]"] = policy_diff.parse(block.get("policy"))
        else:
            out[attr] = policy_diff.parse(raw)
    return out


def _sharing_atoms(doc: dict[str, Any] | None) -> set[policy_diff.Atom]:
    return {
        a
        for a in policy_diff.atoms(doc)
        if a.effect == "Allow" and (a.principal == "*" or any(c[1] in _SHARING_KEYS for c in a.conditions))
    }


def _policy_flags(address: str, rtype: str, change: dict[str, Any]) -> list[Flag]:
    flags: list[Flag] = []
    unknown = change.get("after_unknown") or {}
    # A create has no "before" and a delete no "after": every policy then counts against nothing.
    before = _policies(rtype, change.get("before"))
    after = _policies(rtype, change.get("after"))
    for attr in sorted(set(before) | set(after) | {a for a in POLICY_ATTRIBUTES.get(rtype, ()) if unknown.get(a)}):
        if unknown.get(attr.split("[")[0]) is True:
            flags.append(Flag(GROWS, address, f"`{attr}` is known only after apply: review the configuration"))
            continue
        old, new = before.get(attr), after.get(attr)
        growth = policy_diff.grown(old, new)
        if growth:
            shown = "; ".join(growth[:5]) + (f"; ... {len(growth) - 5} more" if len(growth) > 5 else "")
            flags.append(Flag(GROWS, address, f"`{attr}`: {shown}"))
        if _sharing_atoms(old) != _sharing_atoms(new):
            gained = len(_sharing_atoms(new) - _sharing_atoms(old))
            lost = len(_sharing_atoms(old) - _sharing_atoms(new))
            flags.append(Flag(SHARING, address, f"`{attr}`: {gained} cross-account grant(s) added, {lost} removed"))
    return flags


def _flags(rc: dict[str, Any], actions: tuple[str, ...]) -> list[Flag]:
    address, rtype, change = rc["address"], rc["type"], rc.get("change", {})
    name = _name_of(change)
    label = f" (`{name}`)" if name else ""
    flags: list[Flag] = []
    if rtype in DATA_HOLDING and "delete" in actions:
        if "create" in actions:
            reason = rc.get("action_reason", "replace")
            paths = change.get("replace_paths") or []
            forced = f"; forced by {', '.join('.'.join(map(str, p)) for p in paths)}" if paths else ""
            flags.append(Flag(REPLACES, address, f"replaced{label}: {reason}{forced}; its data is lost"))
        else:
            flags.append(Flag(DESTROYS, address, f"destroyed{label}"))
    if rtype in GRANTS_ON_CREATE and "create" in actions:
        flags.append(Flag(GROWS, address, f"new grant{label}"))
    if rtype in GUARDRAIL_ON_DELETE and actions == ("delete",):
        flags.append(Flag(GROWS, address, f"guardrail removed{label}"))
    if rtype in POLICY_ATTRIBUTES:
        flags += _policy_flags(address, rtype, change)
    if rtype in SHARING_TYPES and not any(f.kind == SHARING for f in flags):
        flags.append(Flag(SHARING, address, f"{_SYMBOL.get(actions, '/'.join(actions))}{label}"))
    return flags


def summarize_plan(stack: str, plan: dict[str, Any]) -> StackPlan:
    """Count and flag the resource changes of one stack's plan."""
    summary = StackPlan(stack, drifted=len(plan.get("resource_drift") or []), incomplete=plan.get("complete") is False)
    for rc in plan.get("resource_changes") or []:
        if rc.get("mode", "managed") != "managed":
            continue
        actions = tuple(rc.get("change", {}).get("actions", ()))
        if actions in {("no-op",), ("read",), ()}:
            continue
        symbol = _SYMBOL.get(actions, "/".join(actions))
        summary.rows.append((symbol, rc["address"]))
        if actions == ("create",):
            summary.adds += 1
        elif actions == ("update",):
            summary.changes += 1
        elif actions == ("delete",):
            summary.destroys += 1
        elif actions == ("forget",):
            summary.forgets += 1
        else:
            summary.replaces += 1
        summary.flags += _flags(rc, actions)
    return summary


def _counts(p: StackPlan) -> str:
    parts = [f"{p.adds} to add", f"{p.changes} to change", f"{p.destroys} to destroy"]
    if p.replaces:
        parts.append(f"{p.replaces} to replace")
    if p.forgets:
        parts.append(f"{p.forgets} to forget (kept in AWS)")
    return ", ".join(parts)


def _stack_section(p: StackPlan) -> list[str]:
    kinds = sorted({f.kind for f in p.flags}, key=[DESTROYS, REPLACES, GROWS, SHARING].index)
    icon = _ICON[kinds[0]] if kinds else ("✅" if p.empty else "📝")
    lines = [f"### {icon} `{p.stack}`: {_counts(p)}", ""]
    if p.incomplete:
        lines += [
            "> [!WARNING]",
            "> Incomplete plan (`complete: false`: a `-target` plan or deferred changes): more changes follow "
            "that it does not show.",
            "",
        ]
    if p.drifted:
        lines += [f"{p.drifted} resource(s) changed outside Terraform since the last apply (drift).", ""]
    if p.flags:
        severity = "CAUTION" if {DESTROYS, REPLACES} & set(kinds) else "WARNING"
        lines.append(f"> [!{severity}]")
        for f in p.flags:
            lines.append(f"> {_ICON[f.kind]} **{f.kind.upper()}** `{f.address}`: {f.detail}  ")
        lines.append("")
    if p.rows:
        lines += [f"<details><summary>{len(p.rows)} resource change(s)</summary>", "", "| | resource |", "|---|---|"]
        lines += [f"| `{symbol}` | `{address}` |" for symbol, address in p.rows]
        lines += ["", "</details>", ""]
    else:
        lines += ["No changes.", ""]
    return lines


def render_markdown(plans: Sequence[StackPlan], *, title: str = "Plan summary") -> str:
    """One Markdown document: an overview table, then one section per stack (flagged first)."""
    flagged = sum(1 for p in plans for _ in p.flags)
    lines = [f"## {title}", ""]
    if flagged:
        every = ", ".join(sorted({f.kind for p in plans for f in p.flags}))
        lines += [f"**{flagged} flag(s) need a careful review: {every}.**", ""]
    incomplete = [f"`{p.stack}`" for p in plans if p.incomplete]
    if incomplete:
        lines += [f"**Incomplete plan(s), more changes follow: {', '.join(incomplete)}.**", ""]
    lines += ["| stack | add | change | destroy | replace | flags |", "|---|---:|---:|---:|---:|---|"]
    for p in plans:
        shown = ", ".join(sorted({f"{_ICON[f.kind]} {f.kind}" for f in p.flags})) or "-"
        lines.append(f"| `{p.stack}` | {p.adds} | {p.changes} | {p.destroys} | {p.replaces} | {shown} |")
    lines.append("")
    order = sorted(plans, key=lambda p: (not p.flags, p.empty, p.stack))
    for p in order:
        lines += _stack_section(p)
    return "\n".join(lines).rstrip() + "\n"


def stack_name_for(path: Path) -> str:
    """``plans/silo-sales.json`` -> ``silo-sales``; ``stacks/silo-sales/plan.json`` -> ``silo-sales``."""
    path = Path(path)
    return path.parent.name if path.stem in {"plan", "tfplan"} else path.stem.removeprefix("plan-")


def summarize_files(specs: Iterable[str]) -> list[StackPlan]:
    """``STACK=PATH`` or ``PATH`` (stack name from the path, see :func:`stack_name_for`)."""
    plans = []
    for spec in specs:
        stack, sep, path = spec.partition("=")
        if not sep:
            stack, path = stack_name_for(Path(spec)), spec
        plans.append(summarize_plan(stack, load_plan(Path(path))))
    return plans
