"""The data lake's place in AWS Organizations: its OUs and the silo accounts it creates.

Central resource policies are scoped to OU *paths* (``aws:PrincipalOrgPaths``), never
to account lists, so the OUs are the real security boundary: they are protected from
``terraform destroy`` (a new OU would have a new id and silently orphan every policy
scoped to the old path).

Only silos declared with ``email`` get an ``aws_organizations_account`` here. Accounts
that already exist (silos with ``account_id``, analytics consumers, the data lake
account) are not managed by this stack: moving them into the OUs is a one-off
``aws organizations move-account`` (see docs/account-lifecycle.md), because importing an
account into Terraform state with a guessed configuration would risk replacing it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...aws import names
from ...catalog.model import OuNames, Silo
from ...engine.cdk import Construct, TerraformStack, aws

#: Nothing an OU or account resource holds may disappear because a line changed.
_PROTECTED = {"prevent_destroy": True}


def account_logical_id(silo_name: str) -> str:
    """Fixed Terraform address name of a silo's account, so it can be named after the
    silo's entry is gone (see :func:`forget_accounts`): the name part of
    :func:`silolake.aws.names.silo_account_address`."""
    return names.silo_account_address(silo_name).split(".", 1)[1]


class DataLakeOus(Construct):
    """``<root>/DataLake/{Silos,Analytics}`` under the organization's root.

    The root id comes from the ``aws_organizations_organization`` data source: the org
    stack runs in the management account, which can read it, so nothing has to be typed
    into the catalog before the organization's first apply.
    """

    def __init__(self, scope: Construct, id: str, *, ous: OuNames) -> None:
        super().__init__(scope, id)
        self.organization = aws.data_aws_organizations_organization.DataAwsOrganizationsOrganization(
            self, "organization"
        )
        self.root_id = self.organization.roots.get(0).id
        self.datalake = self._ou("datalake", ous.datalake, self.root_id)
        self.silos = self._ou("silos", ous.silos, self.datalake.id)
        self.analytics = self._ou("analytics", ous.analytics, self.datalake.id)

    def _ou(self, id: str, name: str, parent_id: str):
        # Tags come from the provider's default_tags (catalog tags + silolake:*).
        return aws.organizations_organizational_unit.OrganizationsOrganizationalUnit(
            self, id, name=name, parent_id=parent_id, lifecycle=_PROTECTED
        )


class SiloAccount(Construct):
    """The member account of one email-only silo, created in the silos OU.

    ``close_on_deletion = false`` and ``prevent_destroy``: dropping a silo from the
    catalog never closes an account (decommissioning keeps account and data). AWS
    cannot read back ``role_name`` or ``iam_user_access_to_billing``, so changes to them
    are ignored instead of forcing a replacement (a new account) on an import or a
    renamed deploy role.
    """

    def __init__(
        self, scope: Construct, id: str, *, org_name: str, silo: Silo, parent_id: str, deploy_role_name: str
    ) -> None:
        super().__init__(scope, id)
        assert silo.email, "only email-only silos have their account created by the organization"
        self.account = aws.organizations_account.OrganizationsAccount(
            self,
            "account",
            name=names.silo_account_name(org_name, silo.name),
            email=silo.email,
            parent_id=parent_id,
            role_name=deploy_role_name,
            close_on_deletion=False,
            tags={"silolake:silo": silo.name},  # on top of the provider's default_tags
            lifecycle={**_PROTECTED, "ignore_changes": ["role_name", "iam_user_access_to_billing"]},
        )
        self.account.override_logical_id(account_logical_id(silo.name))


def forget_accounts(stack: TerraformStack, silo_names: Iterable[str]) -> None:
    """``removed`` blocks (``destroy = false``) for accounts whose resource left the stack.

    Terraform honours ``prevent_destroy`` only while the resource is in the
    configuration: once a silo's entry is removed (after decommission), a plain plan
    would destroy its ``aws_organizations_account``, which with ``close_on_deletion =
    false`` removes the account from the organization. Forgetting it instead leaves the
    account, its data and its place in the silos OU untouched. The names come from the
    lock file (``Catalog.retired_accounts``); a block whose address is not in the state
    is a no-op, so the list may keep old entries.
    """
    blocks = [
        {"from": names.silo_account_address(name), "lifecycle": {"destroy": False}} for name in sorted(silo_names)
    ]
    if blocks:
        stack.add_override("removed", blocks)
