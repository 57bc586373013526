"""Rule: a silo given by e-mail only in the base now names its account by ``account_id``.

The org stack holds an ``aws_organizations_account`` for every silo given by e-mail only
(``SiloAccount`` in :mod:`silolake.constructs.org.organization`). Once the silo names its
account by ``account_id`` that resource leaves the org stack, which forgets it (``removed {
destroy = false }``: the account, its data and its place in the silos OU stay) only for the
ids ``accounts.lock.json`` records (``Catalog.retired_accounts``, written by ``silolake
bootstrap``). Without a recorded id Terraform would destroy the resource, and destroying it
takes the account out of the organization (``close_on_deletion = false``). So:

- the lock records the silo's account and ``account_id`` is that id: guarded, accepted;
- the lock records no id (the base's ``account_id`` is unknown): refused at ``account_id``,
  until bootstrap recorded the account the organization created;
- another id than the recorded one: :mod:`.silo_account` (impossible).

Offline, a base's account the org stack never applied (no account to lose) cannot be told
from one created and not recorded yet: both are refused, and bootstrap tells them apart.
"""

from __future__ import annotations

from ...aws.names import silo_account_address
from .base import Change, Locator, Pair


def silo_account_given(pair: Pair, at: Locator) -> list[Change]:
    """Snapshots without ``email_only`` (manifests of earlier versions) are not compared."""
    old, now = pair.old, pair.new
    if old is None or now is None or not old.get("email_only") or now.get("email_only", True):
        return []
    before, after = old.get("account_id"), now.get("account_id")
    address = silo_account_address(pair.name)
    if before and before == after:
        return [
            Change(
                "email-only silo given its account id",
                f"silo '{pair.name}'",
                "guarded",
                f"the org stack forgets {address} (removed, destroy = false): the account the organization "
                "created, its data and its place in the silos OU stay; the org stack no longer manages it",
            )
        ]
    if before:
        return []  # another account than the recorded one: silo_account_changed refuses it
    return [
        Change(
            "email-only silo given an account id not recorded",
            f"silo '{pair.name}'",
            "guarded",
            f"would destroy {address}, taking the account out of the organization",
            f"silo '{pair.name}' is given by e-mail in the {at.cited}, so the org stack creates (or created) its "
            f"account, and accounts.lock.json records no id for it: account_id now drops {address} from the org "
            "stack with no removed block, and Terraform would destroy it, taking the account out of the "
            "organization. Keep email and run silolake bootstrap first so the lock records the account the "
            "organization created (commit accounts.lock.json); then account_id set to that id is accepted and the "
            "org stack forgets the resource (removed, destroy = false) while the account stays",
            at.silo(pair.name, "account_id"),
        )
    ]
