"""``silo-<name>`` stack: everything one silo account runs."""

from __future__ import annotations

from ..catalog.model import Catalog, Silo
from ..cdk import Construct
from .base import AccountStack


class SiloStack(AccountStack):
    def __init__(self, scope: Construct, *, catalog: Catalog, silo: Silo) -> None:
        assert silo.account_id, "pending silos get no stack"  # guaranteed by build_app
        super().__init__(scope, silo.stack_name, catalog=catalog, account_id=silo.account_id,
                         region=silo.region, silo=silo.name)
        self.silo = silo
