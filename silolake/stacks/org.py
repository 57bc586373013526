"""``org`` stack: the management account (organization structure and guardrails)."""

from __future__ import annotations

from ..catalog.model import Catalog
from ..cdk import Construct
from .base import AccountStack


class OrgStack(AccountStack):
    def __init__(self, scope: Construct, *, catalog: Catalog) -> None:
        org = catalog.organization
        super().__init__(scope, "org", catalog=catalog, account_id=org.management_account_id,
                         region=org.home_region)
