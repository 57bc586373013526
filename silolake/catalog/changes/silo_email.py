"""Rule: the e-mail of a silo given by e-mail only changed (impossible).

``email`` (like the account's name) is ForceNew on ``aws_organizations_account``
(:mod:`.forcenew`): the org stack would replace the account the organization created, a
new, empty one created and the one holding the silo's data and state taken out of the
organization. The way out for a recorded account is ``account_id`` set to the recorded id
(:mod:`.org_account`: the org stack forgets the resource), after which its root e-mail is
changed in AWS, outside silolake.
"""

from __future__ import annotations

from ...aws.names import silo_account_address
from .base import Change, Locator, Pair


def silo_email_changed(pair: Pair, at: Locator) -> list[Change]:
    old, now = pair.old, pair.new
    if old is None or now is None or not (old.get("email_only") and now.get("email_only")):
        return []
    before, after = old.get("email"), now.get("email")
    if not before or before == after:
        return []
    address = silo_account_address(pair.name)
    return [
        Change(
            "email-only silo's e-mail changed",
            f"silo '{pair.name}'",
            "impossible",
            f"would replace {address} (email is ForceNew): a new account, the old one leaves the organization",
            f"silo '{pair.name}' changes its e-mail from {before} ({at.cited}) to {after}: email is ForceNew on "
            f"{address}, so Terraform would create a new, empty account and take the one holding the silo's data "
            f"and state out of the organization. Keep email: {before}. To change the account's root e-mail, run "
            "silolake bootstrap so accounts.lock.json records the account, give the silo account_id set to that id "
            "instead of email (the org stack then forgets the resource), and change the e-mail in AWS",
            at.silo(pair.name, "email"),
        )
    ]
