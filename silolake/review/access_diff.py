"""``silolake access-diff --base REF``: who gains or loses which access, proven by an IAM engine.

Base and head are synthesized (only the stacks that matter, see :func:`access_diff`) and
the policies *in the synthesized Terraform* are evaluated offline with the IAM engine
(:mod:`silolake.ops.iam`) for every principal the catalog defines against every data
resource of the silos involved:

* principals: each analytics consumer's reader roles (identity side: the consumer
  stack's reader policy; context: the analytics OU path), a silo pipeline role of
  another silo account and a role of an account outside the organization (both with a
  worst-case ``s3:*``/``glue:*`` identity policy: only the resource side may refuse);
* resources: the objects of each silo's dropzone, raw and processed buckets
  (``s3:GetObject``, bucket policy) and its Glue tables (``glue:GetTable``, Glue resource
  policy).

A gain is *expected* only when the head catalog entitles a consumer's readers to that
silo's processed data or catalog; any other gain (raw or dropzone data, a pipeline or
outsider reading, a reader of a silo it is not entitled to) is flagged loudly. Key
policies are not evaluated here (the key id exists only after apply); the segregation
proof in the test suite covers them.

What it cannot see, it says (issue 18): before ``silolake bootstrap`` has recorded the
organization ids in the lock file, no silo data is shared at all (sharing fails closed),
so there is nothing to compare and :func:`require_organization` refuses; a silo a consumer
reads but whose account does not exist yet has no policies to evaluate, and
:func:`unevaluated` names it (the CLI prints it and the report carries it).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..aws import arns, names
from ..catalog.lock import lock_path_for
from ..catalog.model import Catalog, DeployedSilo, OrgLayout
from ..errors import UsageError
from ..ops.iam import simulate
from .affected import Comparison

__all__ = ["AccessChange", "AccessDiffError", "access_diff", "render_markdown", "require_organization", "unevaluated"]

ZONES = ("dropzone", "raw", "processed")
CATALOG = "catalog"
OUTSIDER_ORG = "o-outsider00"
#: Stand-ins for accounts the catalog does not name (never valid AWS account ids of a silo).
OTHER_SILO_ACCOUNT, OUTSIDER_ACCOUNT = "000000000001", "000000000002"
WORST_CASE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*", "glue:*", "kms:*"], "Resource": "*"}],
}
_TOKEN = re.compile(r"\$\{[^}]+\}")
_PLACEHOLDER_LAYOUT = OrgLayout("o-unbootstrap", "r-none", "ou-none-datalake", "ou-none-silos", "ou-none-analytics")


class AccessDiffError(UsageError, RuntimeError):
    """The inputs cannot support an answer (the message says which input, and what fills it)."""


def require_organization(catalog: Catalog) -> None:
    """Refuse a catalog whose lock file has no organization ids (before ``silolake bootstrap``).

    Without them every resource policy fails closed (no reader is granted anything, on either
    side), so an evaluation would report "no change" for any catalog change."""
    if catalog.layout is None:
        lock = lock_path_for(catalog.source).name
        raise AccessDiffError(
            f"{lock} has no organization ids, so no silo data is shared yet and there is no access to "
            "compare: apply the org stack, then run `silolake bootstrap` to record them"
        )


def unevaluated(catalog: Catalog) -> list[str]:
    """One line per silo a consumer reads that has no account yet (nothing to evaluate for it)."""
    pending = {s.name for s in catalog.pending_silos}
    readers: dict[str, list[str]] = defaultdict(list)
    for consumer in catalog.analytics:
        for silo in consumer.silos:
            if silo in pending:
                readers[silo].append(consumer.name)
    return [
        f"silo '{silo}' (read by {', '.join(sorted(who))}) has no account yet: its access is not evaluated "
        "(apply the org stack, then run `silolake bootstrap`)"
        for silo, who in sorted(readers.items())
    ]


@dataclass(frozen=True)
class AccessChange:
    """``who`` gains (``+``) or loses (``-``) read of ``silo``'s ``what`` (a zone or ``catalog``)."""

    who: str
    sign: str
    silo: str
    what: str
    expected: bool

    def line(self) -> str:
        flag = "" if self.expected else " 🚨 **UNEXPECTED**"
        return f"{self.who}: {self.sign} read `silo-{self.silo}` {self.what}{flag}"


@dataclass(frozen=True)
class _Principal:
    arn: str
    consumer: str | None  # None: a pipeline of another silo or an outsider
    role: str
    org_path: str
    org_id: str


def _stack(out: Path, name: str) -> dict[str, Any] | None:
    path = out / "stacks" / name / "cdk.tf.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _bucket_policy(stack: dict[str, Any], bucket: str) -> dict[str, Any] | None:
    resources = stack.get("resource", {})
    logical = [k for k, v in resources.get("aws_s3_bucket", {}).items() if v.get("bucket") == bucket]
    for pol in resources.get("aws_s3_bucket_policy", {}).values():
        if any(f"aws_s3_bucket.{name}." in str(pol.get("bucket")) for name in logical):
            return json.loads(pol["policy"])
    return None


def _glue_policy(stack: dict[str, Any]) -> dict[str, Any] | None:
    found = list(stack.get("resource", {}).get("aws_glue_resource_policy", {}).values())
    return json.loads(found[0]["policy"]) if found else None


def _reader_policy(stack: dict[str, Any] | None, account: str, region: str) -> dict[str, Any] | None:
    """The consumer stack's reader policy, Terraform references replaced by a stand-in ARN."""
    if stack is None:
        return None
    policies = stack.get("resource", {}).get("aws_iam_policy", {})
    text = next((p["policy"] for p in policies.values() if "reader" in p.get("name", "")), None)
    if text is None:
        return None
    return json.loads(_TOKEN.sub(arns.regional("kms", region, account, "key/unknown-until-apply"), text))


def _principals(catalogs: list[Catalog], layout: OrgLayout) -> list[_Principal]:
    found: dict[str, _Principal] = {}
    for catalog in catalogs:
        for c in catalog.analytics:
            for role in c.reader_roles:
                arn = arns.role(arns.partition_of(c.region), c.account_id, role)
                found.setdefault(arn, _Principal(arn, c.name, role, layout.analytics_path, layout.org_id))
    partition = arns.partition_of(catalogs[0].organization.home_region)
    other = arns.role(partition, OTHER_SILO_ACCOUNT, names.silo_role("other", "pipeline"))
    outsider = arns.role(partition, OUTSIDER_ACCOUNT, "outsider")
    found[other] = _Principal(other, None, "a pipeline role of another silo", layout.silos_path, layout.org_id)
    found[outsider] = _Principal(outsider, None, "a role outside the organization", "o-outsider00/r-x/", OUTSIDER_ORG)
    return list(found.values())


def _cases(side: str, catalog: Catalog | None, out: Path, silos: list[str], principals: list[_Principal]) -> list:
    if catalog is None:
        return []
    org = catalog.organization.name
    deployed = {s.name: s for s in catalog.deployable_silos}
    identity = {c.name: _reader_policy(_stack(out, c.stack_name), c.account_id, c.region) for c in catalog.analytics}
    cases = []
    for silo_name in silos:
        silo: DeployedSilo | None = deployed.get(silo_name)
        stack = _stack(out, silo.stack_name) if silo else None
        if silo is None or stack is None:
            continue
        targets = [
            (
                zone,
                "s3:GetObject",
                arns.s3(
                    arns.partition_of(silo.region),
                    names.silo_bucket(org, silo.name, zone, silo.account_id, silo.region),
                    "data.parquet",
                ),
                _bucket_policy(stack, names.silo_bucket(org, silo.name, zone, silo.account_id, silo.region)),
            )
            for zone in ZONES
        ]
        table = arns.regional("glue", silo.region, silo.account_id, f"table/{silo.glue_database}/any_table")
        targets.append((CATALOG, "glue:GetTable", table, _glue_policy(stack)))
        for p in principals:
            own = identity.get(p.consumer) if p.consumer else WORST_CASE
            for what, action, resource, resource_policy in targets:
                cases.append(
                    {
                        "name": f"{side}|{p.arn}|{silo.name}|{what}",
                        "principal": p.arn,
                        "action": action,
                        "resource": resource,
                        "resourceAccount": silo.account_id,
                        "identityPolicies": [own] if own else [],
                        "resourcePolicy": resource_policy,
                        "context": {
                            "aws:SecureTransport": "true",
                            "aws:PrincipalOrgPaths": [p.org_path],
                            "aws:PrincipalOrgID": p.org_id,
                        },
                    }
                )
    return cases


def _scope(cmp: Comparison, affected: list[str]) -> tuple[list[str], list[str]]:
    """Silos whose data access may have changed, and the stacks to synthesize to evaluate them."""
    sides = [c for c in (cmp.base, cmp.head) if c is not None]
    consumers = {c.stack_name: c for side in sides for c in side.analytics}
    silo_stacks = {s.stack_name: s.name for side in sides for s in side.deployable_silos}
    silos = {silo_stacks[n] for n in affected if n in silo_stacks}
    for n in affected:
        if n in consumers:
            silos.update(s for side in sides for c in side.analytics if c.stack_name == n for s in c.silos)
    stacks = {n for n, s in silo_stacks.items() if s in silos}
    stacks |= {c.stack_name for side in sides for c in side.analytics if silos & set(c.silos)}
    return sorted(silos), sorted(stacks)


def access_diff(cmp: Comparison) -> list[AccessChange]:
    """Gains and losses between base and head; empty when no affected stack holds access.

    Raises :class:`AccessDiffError` when the head cannot be evaluated (see
    :func:`require_organization`)."""
    require_organization(cmp.head)
    affected = cmp.affected().stacks
    silos, stacks = _scope(cmp, affected)
    if not silos:
        return []
    cmp.ensure(stacks)
    layout = cmp.head.layout or (cmp.base.layout if cmp.base else None) or _PLACEHOLDER_LAYOUT
    principals = _principals([c for c in (cmp.base, cmp.head) if c is not None], layout)
    cases = _cases("base", cmp.base, cmp.base_out, silos, principals)
    cases += _cases("head", cmp.head, cmp.head_out, silos, principals)
    allowed: dict[str, set[str]] = {"base": set(), "head": set()}
    for result in simulate(cases):
        side, key = result["name"].split("|", 1)
        if result["decision"] == "Allowed":
            allowed[side].add(key)
    return _changes(cmp.head, principals, allowed)


def _changes(head: Catalog, principals: list[_Principal], allowed: dict[str, set[str]]) -> list[AccessChange]:
    by_arn = {p.arn: p for p in principals}
    roles_of = {c.name: set(c.reader_roles) for c in head.analytics}
    grouped: dict[tuple[str | None, str, str, str], set[str]] = defaultdict(set)
    for sign, keys in (("+", allowed["head"] - allowed["base"]), ("-", allowed["base"] - allowed["head"])):
        for key in keys:
            arn, silo, what = key.rsplit("|", 2)
            p = by_arn[arn]
            grouped[(p.consumer, sign, silo, what)].add(p.role)
    changes = []
    for (consumer, sign, silo, what), roles in sorted(grouped.items(), key=lambda kv: tuple(map(str, kv[0]))):
        if consumer is None:
            changes += [AccessChange(role, sign, silo, what, sign == "-") for role in sorted(roles)]
            continue
        entitled = any(c.name == consumer and silo in c.silos for c in head.analytics)
        expected = sign == "-" or (what in ("processed", CATALOG) and entitled)
        who = (
            f"analytics `{consumer}` readers"
            if roles == roles_of.get(consumer)
            else f"analytics `{consumer}` role(s) {', '.join(f'`{r}`' for r in sorted(roles))}"
        )
        changes.append(AccessChange(who, sign, silo, what, expected))
    return changes


def render_markdown(changes: list[AccessChange], not_evaluated: Sequence[str] = ()) -> str:
    """The report; ``not_evaluated`` (from :func:`unevaluated`) heads it as a warning."""
    lines = ["## Access diff", ""]
    if not_evaluated:
        lines += ["> [!WARNING]", "> Not evaluated:"]
        lines += [f"> - {line}" for line in not_evaluated]
        lines.append("")
    if not changes:
        scope = "the silo data evaluated" if not_evaluated else "silo data"
        return "\n".join([*lines, f"No principal gains or loses read access to {scope}.", ""])
    unexpected = [c for c in changes if not c.expected]
    if unexpected:
        lines += ["> [!CAUTION]", f"> {len(unexpected)} unexpected gain(s): review before merging.", ""]
    lines += [f"- {c.line()}" for c in changes]
    return "\n".join(lines) + "\n"
