"""Which stacks a catalog deploys, into which account, in which order.

CI needs this before any synth (to build its job matrix and pick the account whose
deploy role to assume), so it is computed from the catalog alone, without cdktf.
Waves encode the only ordering that matters: the organization first (it creates
accounts), then the central data lake, then every silo in parallel (silos never depend
on each other), then the analytics consumers (their catalogs point at silo accounts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .. import names
from ..catalog.model import Catalog


@dataclass(frozen=True)
class StackTarget:
    name: str
    kind: str  # org | datalake | silo | analytics
    account_id: str
    region: str
    role_arn: str
    wave: int

    def as_dict(self) -> dict:
        return asdict(self)


def stack_targets(catalog: Catalog) -> list[StackTarget]:
    org = catalog.organization

    def target(kind: str, name: str | None, account: str, region: str, wave: int) -> StackTarget:
        return StackTarget(names.stack_name(kind, name), kind, account, region, org.deploy_role_arn(account), wave)

    targets = [
        target("org", None, org.management_account_id, org.home_region, 0),
        target("datalake", None, catalog.datalake.account_id, catalog.datalake.region, 1),
    ]
    targets += [target("silo", s.name, s.account_id, s.region, 2) for s in catalog.deployable_silos]
    targets += [target("analytics", a.name, a.account_id, a.region, 3) for a in catalog.analytics]
    return targets
