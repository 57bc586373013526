"""``silolake validate --base REF --synthesized``: the day-2 invariant on synthesized stacks.

The catalog rules (:mod:`silolake.catalog.changes`) judge a change from the catalog alone.
This check judges what Terraform would do: it synthesizes the base and the head of the
stacks the change touches (``silolake affected``'s comparison, :mod:`silolake.review.affected`,
with the synth cache of :mod:`silolake.synth.cache`) and reports, stack by stack, every
resource :func:`silolake.stacks.losses.losses` finds destroyed or replaced as a refused
:class:`Change`: located at the flow or silo (or consumer) it belongs to when the
resource's construct path names one, else at the document, naming the stack and address; an
organizations account of the ``org`` stack at the silo it was created for.

Cost: one engine start per side plus about a second per candidate stack (a synth-cache
hit costs neither); a change of framework code makes every stack a candidate and
synthesizes the base with the base's own code (docs/day-2.md).
"""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...aws.names import silo_account_address
from ...catalog import load_catalog
from ...catalog.changes.base import Change, positions
from ...catalog.errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from ...catalog.model import Catalog
from ...catalog.source import SourceDoc
from ...review.affected import Comparison, comparison, synth_in_process
from ...stacks.losses import losses

FIX = (
    "keep what names it as it was (a flow keeps its AWS names with `renamed_from`), or take it "
    "out the guarded way its row of docs/day-2.md gives (`removed_flows`, `keep_server`, "
    "decommission), which emits a `moved` or `removed` block"
)


#: The advice for an organizations account (the org stack's account of an email-only silo).
ACCOUNT_FIX = (
    "this is the account the organization created for the silo: keep its email as it was until `silolake "
    "bootstrap` records the account in accounts.lock.json (commit the lock); account_id set to that recorded id "
    "then makes the org stack forget the resource (removed, destroy = false) and the account stays"
)


def _account_silo(head: Catalog, doc: SourceDoc, stack: str, address: str) -> KeyPath | None:
    """The silo key (its ``account_id``, else its ``email``, else the entry) whose organizations
    account ``address`` of the ``org`` stack is (:func:`silolake.aws.names.silo_account_address`),
    or ``None``."""
    silo_at = positions(doc)[0]
    if stack != "org":
        return None
    for silo in head.silos:
        if silo.name in silo_at and silo_account_address(silo.name) == address:
            at = ("silos", silo_at[silo.name])
            return next((p for p in ((*at, "account_id"), (*at, "email")) if p in doc.keys), at)
    return None


def _construct_path(stack: dict[str, Any], address: str) -> list[str]:
    rtype, name = address.split(".", 1)
    resource = stack.get("resource", {}).get(rtype, {}).get(name, {})
    return str(resource.get("//", {}).get("metadata", {}).get("path", "")).split("/")


def _where(head: Catalog, doc: SourceDoc, stack: str, path: list[str]) -> KeyPath:
    """The catalog key a resource of ``stack`` (construct ``path``) belongs to: the flow whose
    name (or AWS name) a construct id of the path starts or ends with, else the silo or
    consumer, else the document (``()``)."""
    silo_at, flow_at, consumer_at = positions(doc)
    for silo in head.deployable_silos:
        if silo.stack_name != stack or silo.name not in silo_at:
            continue
        for flow in sorted(silo.flows, key=lambda f: -len(f.name)):
            for ident in (flow.name, flow.storage_name):
                # Construct ids of a flow's resources: `orders`, `orders-logs`, `firehose-orders`.
                if any(
                    part == ident or part.startswith(f"{ident}-") or part.endswith(f"-{ident}") for part in path[1:]
                ):
                    return ("silos", silo_at[silo.name], "flows", flow_at[(silo.name, flow.name)])
        return ("silos", silo_at[silo.name])
    for consumer in head.analytics:
        if consumer.stack_name == stack and consumer.name in consumer_at:
            return ("analytics", consumer_at[consumer.name])
    return ()


@dataclass(frozen=True)
class Compared:
    """What ``--synthesized`` compared: the affected stacks (``silolake affected``) present on
    both sides (``compared``, resource by resource), only in the head (``added``) or only in
    the base (``removed``: the catalog rules judged their removal), and the refused ``lost``."""

    compared: list[str]
    added: list[str]
    removed: list[str]
    lost: list[Change]

    def summary(self) -> str:
        """One line naming the stacks, or saying that none was affected."""
        if not (self.compared or self.added or self.removed):
            return "synthesized stacks affected: none (every stack synthesizes as in the base)"
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (("compared", self.compared), ("new", self.added), ("no longer built", self.removed))
            if names
        ]
        return f"synthesized stacks affected: {'; '.join(parts)}"


def _compare(cmp: Comparison, doc: SourceDoc, base_name: str) -> Compared:
    found = cmp.affected()
    owners = {s.stack_name: frozenset(s.owners) for s in cmp.head.deployable_silos}
    compared, added, out = [], [], []
    for stack in found.stacks:
        old, new = cmp.base_out / "stacks" / stack / "cdk.tf.json", cmp.head_out / "stacks" / stack / "cdk.tf.json"
        if not (old.is_file() and new.is_file()):
            added.append(stack)  # a new stack (a head stack missing from the base's output)
            continue
        compared.append(stack)
        before, after = json.loads(old.read_text()), json.loads(new.read_text())
        for address, forced in sorted(losses(before, after, owners.get(stack)).items()):
            what = f"replaced (ForceNew {', '.join(forced)} changed)" if forced else "destroyed"
            account = _account_silo(cmp.head, doc, stack, address)
            out.append(
                Change(
                    "synthesized resource lost",
                    f"stack '{stack}' {address}",
                    "impossible",
                    f"would be {what}",
                    refused=(
                        f"against {base_name}, Terraform would {'replace' if forced else 'destroy'} {address} in "
                        f"stack '{stack}' ({what}; no moved/removed/import block covers it). "
                        f"Fix: {FIX if account is None else ACCOUNT_FIX}"
                    ),
                    where=_where(cmp.head, doc, stack, _construct_path(before, address))
                    if account is None
                    else account,
                )
            )
    return Compared(compared, added, list(found.removed), out)


def synthesized_changes(catalog_path: Path, base: str, doc: SourceDoc, *, cache_dir: Path | None = None) -> Compared:
    """The stacks ``silolake affected`` finds changed between ``base`` (a catalog file,
    synthesized with this code, or a git revision of the catalog's repository) and the
    catalog at ``catalog_path``, and the refused changes of :func:`losses` on them. ``doc``:
    the head catalog's source, to locate them. Raises
    :class:`~silolake.review.affected.AffectedError` (bad revision, base synth failure)."""
    if Path(base).is_file():
        synth = functools.partial(synth_in_process, cache_dir=cache_dir) if cache_dir else synth_in_process
        with tempfile.TemporaryDirectory(prefix="silolake-replaced-") as tmp:
            work = Path(tmp)
            cmp = Comparison(
                load_catalog(catalog_path), load_catalog(Path(base)), work / "b", work / "h", False, True, synth
            )
            return _compare(cmp, doc, base)
    with comparison(catalog_path, base, cache_dir=cache_dir) as cmp:
        return _compare(cmp, doc, base)
