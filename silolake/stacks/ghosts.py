"""Ghost silos and stacks: the silo as it could have been, built only to read addresses.

:mod:`.continuity` forgets what a catalog edit took away by comparing the real stack with
a *ghost*: the same stack class on a silo model with every capability that owns data
switched on and the removed flows still present (:func:`capabilities_ghost`), built in a
scratch app that is never synthesized (:func:`ghost_stack`), so its addresses come from
CDKTF's own logical-id allocation. This module builds the ghosts; :mod:`.continuity`
compares and emits the blocks.
"""

from __future__ import annotations

import dataclasses

from ..catalog.model import Catalog, Column, DeployedSilo, Flow
from ..channels import API, SFTP
from ..constructs.context import SiloContext
from ..engine.cdk import TerraformStack
from .scratch import scratch_app


def _ghost_flow(name: str) -> Flow:
    """An api flow: its resources are a superset of a file flow's (tables + stream + logs)."""
    return Flow(
        name=name,
        source=API.name,
        format="json",
        columns=(Column("value", "string"),),
        keys=(),
        partition_by=("ingest_date",),
        schedule="rate(1 day)",
        job="default",
        buffer_seconds=300,
        buffer_mb=64,
        csv_delimiter=",",
        csv_header=True,
        warehouse=False,
        quicksight=False,
        renamed_from=None,
        glue_worker_type="G.1X",
        glue_workers=2,
        throttle_rate=50,  # values do not matter: only the addresses of the ghost are read
        throttle_burst=100,
    )


#: Construct id of the warehouse flow a silo ghost gets when the silo has none (its own
#: per-flow addresses are left out: only the silo's warehouse is of interest).
GHOST_WAREHOUSE_FLOW = "ghost-warehouse-flow"


def capabilities_ghost(silo: DeployedSilo) -> DeployedSilo:
    """``silo`` with every capability that owns data-holding resources switched on: both
    partner channels (Transfer server, partner pages, user pool, functions' log groups), a
    warehouse (namespace, workgroup and the network it sits in), the QuickSight data source,
    the malware hold and the
    flows of ``removed_flows``. Whatever of it the real stack lacks was either never built
    (its ``removed`` block is a no-op) or was taken away by an edit: either way it is
    forgotten, never destroyed."""
    declared = {f.name for f in silo.flows} | {f.storage_name for f in silo.flows}
    flows = silo.flows + tuple(_ghost_flow(n) for n in silo.removed_flows if n not in declared)
    if not all(any(getattr(f, c) for f in silo.flows) for c in ("warehouse", "quicksight")):
        warehouse = dataclasses.replace(
            _ghost_flow(GHOST_WAREHOUSE_FLOW), source=SFTP.name, format="csv", warehouse=True, quicksight=True
        )
        flows += (warehouse,)
    ingestion = dataclasses.replace(
        silo.ingestion,
        sftp_enabled=True,
        web_upload_enabled=True,
        sftp_allowed_cidrs=silo.ingestion.sftp_allowed_cidrs or ("192.0.2.0/24",),
    )
    return dataclasses.replace(silo, flows=flows, ingestion=ingestion, malware_protection=True)


def _flow_shape(flow: Flow) -> tuple[str, bool, bool]:
    """What of a flow decides which silo-wide constructs exist: its source (the flow API
    for api flows, landing and the malware hold for file flows), whether it loads the
    warehouse (namespace, workgroup) and whether QuickSight reads it (the data source).
    Any flow at all gives the quality table."""
    return (flow.source, flow.warehouse, flow.quicksight)


def representatives(silo: DeployedSilo, ghost: DeployedSilo) -> tuple[Flow, ...]:
    """The ghost's flows minus those of the real silo that add nothing to forget: a real
    flow's own resources are at the same addresses in the real stack (never missing from
    it), so only the silo-wide constructs it switches on matter, and the first real flow of
    each :func:`_flow_shape` switches on the same ones. The stand-ins (removed flows, the
    ghost warehouse flow) all stay."""
    real = {f.name for f in silo.flows}
    seen: set[tuple[str, bool, bool]] = set()
    kept = []
    for flow in ghost.flows:
        if flow.name in real:
            if _flow_shape(flow) in seen:
                continue
            seen.add(_flow_shape(flow))
        kept.append(flow)
    return tuple(kept)


def ghost_stack(catalog: Catalog, ghost: DeployedSilo, silo: DeployedSilo | None = None) -> TerraformStack:
    """The silo stack of ``ghost`` in a scratch app, without what holds the same resources
    whatever the silo's capabilities (its deployment pipeline): those addresses are in the
    real stack too, so they can never be forgotten, and building them was a third of the
    ghost's engine calls (benchmarks/RESULTS.md), nor its health (alarms, dashboard,
    freshness checks: see ``_health`` below). With the real ``silo`` given, its flows
    are cut to one per shape (:func:`_representatives`): a silo with many flows no longer
    pays for each of them twice."""
    from .silo import SiloStack

    class GhostSiloStack(SiloStack):
        def _delivery_pipeline(self, catalog: Catalog, silo: DeployedSilo) -> None:
            return None

        def _health(self, catalog: Catalog, ctx: SiloContext) -> None:
            # Its only data types are the log groups of the freshness function (built when a
            # real flow has a deadline: stand-in flows have none) and of the chat forwarder
            # (``alerts_webhook_secret``, the same in ghost and silo): whenever the ghost would
            # hold one, the real stack holds it too, so it can never be forgotten.
            return None

    if silo is not None:
        ghost = dataclasses.replace(ghost, flows=representatives(silo, ghost))
    return GhostSiloStack(scratch_app(), catalog=catalog, silo=ghost)
