"""Classify every change between two catalogs: safe, guarded or impossible.

``silolake validate --base`` (and, without ``--base``, validate and synth against the last
synthesized catalog in ``cdktf.out``) compare two *snapshots*: the facts of a catalog that
decide what Terraform does to existing resources (accounts, regions, flows and the names
AWS knows them by, who reads what). Each difference becomes a :class:`Change`:

- ``safe``: applied in place, or it only adds; nothing holding data is destroyed.
- ``guarded``: it would take data-holding resources out of Terraform; accepted only when
  the catalog says so explicitly (``decommission: true`` before a silo leaves,
  ``removed_flows`` for a flow, ``renamed_from`` for a rename), refused otherwise.
- ``impossible``: AWS or the state layout cannot do it in place (a silo's account or
  region, the organization's name or state buckets); refused with what to do instead.

Every kind is listed, with the test proving it, in docs/day-2.md.

One builder reads a snapshot from a catalog's data, the base's as the head's
(:mod:`.snapshot`). Each rule is a small module of :mod:`.rules`, registered there by the
entry it compares (the catalog, a silo, a flow, a consumer); :func:`classify` runs them.
The ForceNew attributes the rules rely on are tabled, with the provider source of each, in
:mod:`.forcenew`.
"""

from .base import Change, Snapshot, Verdict
from .classify import classify, problems_of
from .manifest import MANIFEST, last_synth, write_manifest
from .silo_account import lock_changes
from .snapshot import raw_snapshot, snapshot

__all__ = [
    "MANIFEST",
    "Change",
    "Snapshot",
    "Verdict",
    "classify",
    "last_synth",
    "lock_changes",
    "problems_of",
    "raw_snapshot",
    "snapshot",
    "write_manifest",
]
