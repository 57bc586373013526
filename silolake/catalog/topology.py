"""Which stacks a catalog deploys, into which account, in which order, and what each reads.

CI needs this before any synth (to build its job matrix and pick the account whose
deploy role to assume), so it is computed from the catalog alone, without cdktf.
Waves encode the only ordering that matters: the organization first (it creates
accounts), then the central data lake, then every silo in parallel (silos never depend
on each other), then the analytics consumers (their catalogs point at silo accounts).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from ..aws import names
from .model import Catalog, Silo


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


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _silo_identity(silo: Silo) -> tuple:
    return (silo.name, silo.account_id, silo.email, silo.region, silo.decommission)


def stack_inputs(catalog: Catalog) -> dict[str, str]:
    """``{stack name: text of everything that stack's synthesis reads from the catalog}``."""
    # Every top-level field but the silo and consumer lists: a field added to Catalog later
    # lands here by itself and makes every stack a candidate (safe by default).
    common = repr(dataclasses.replace(catalog, silos=(), analytics=(), source=Path(catalog.source.name)))
    silos = repr([_silo_identity(s) for s in catalog.silos])
    inputs = {"org": common + silos, "datalake": common + silos}
    for silo in catalog.deployable_silos:
        jobs = [(f.job, _file_digest(catalog.base_dir / f.job)) for f in silo.flows if f.custom_job]
        # A reader's other entitlements do not change this silo's grants: drop its silo list.
        readers = [dataclasses.replace(c, silos=()) for c in catalog.readers_of(silo)]
        inputs[silo.stack_name] = common + repr((silo, readers, jobs))
    for consumer in catalog.analytics:
        read = [_silo_identity(s) for s in catalog.deployable_silos if s.name in consumer.silos]
        inputs[consumer.stack_name] = common + repr((consumer, read))
    return inputs
