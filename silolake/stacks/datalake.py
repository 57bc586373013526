"""``datalake`` stack: the central data lake account (deployment artifacts)."""

from __future__ import annotations

from ..catalog.model import Catalog
from ..cdk import Construct
from .base import AccountStack


class DatalakeStack(AccountStack):
    def __init__(self, scope: Construct, *, catalog: Catalog) -> None:
        super().__init__(scope, "datalake", catalog=catalog, account_id=catalog.datalake.account_id,
                         region=catalog.datalake.region)
