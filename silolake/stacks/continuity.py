"""No data-holding resource leaves a stack's configuration because of a catalog edit.

``prevent_destroy`` protects a resource only while it is in the configuration: once a
catalog edit drops it from the synthesized JSON, ``terraform plan`` destroys it. This
module adds the explicit Terraform blocks that make such edits safe, computed from the
catalog alone (no memory of earlier synths is needed, so every synth of the same catalog
gives the same blocks):

- ``moved``: a flow with ``renamed_from`` gets its resources' addresses moved from the
  former name's addresses (the AWS names keep the former name, see
  :attr:`~silolake.catalog.model.Flow.storage_name`), so nothing is destroyed or recreated.
- ``removed { destroy = false }``: for the data-holding resources of the flows a silo lists
  in ``removed_flows``, and of an analytics consumer's regional workspaces in every
  allowed region the consumer no longer has a workspace in (its last readable silo there
  was dropped from its ``silos:`` list or from the catalog), with their buckets' and keys'
  attached configuration (:func:`forgotten_with_data`). Terraform forgets them; the data
  stays in AWS, still encrypted and private. A ``removed`` block whose address was never in the state is a no-op,
  which is what makes emitting them unconditionally safe.
- ``removed { destroy = false }`` for the Glue tables of every earlier ``schema_version`` of
  a flow (:func:`earlier_versions`): a raised version starts new tables at new addresses, the
  old ones stay in the Glue catalog, queryable, with their data untouched.

The addresses are computed by building a *ghost* of the stack (the same stack class on a
catalog model that still has the removed flow, the workspace, or the former flow name) in
a scratch app that is never synthesized, so they come from CDKTF's own logical-id
allocation and can never drift from what an earlier synth produced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..aws import arns
from ..catalog.model import AnalyticsConsumer, Catalog, DeployedSilo
from ..constructs.context import SiloContext
from ..engine.cdk import TerraformResource, TerraformStack
from .ghosts import GHOST_WAREHOUSE_FLOW, capabilities_ghost, ghost_stack
from .scratch import addresses, resource_type, scratch_app

if TYPE_CHECKING:
    from .silo import SiloStack

#: Resource types that hold data or are the identity of data (a key decrypts it, an
#: account contains it). Capabilities that add such a type add it here.
DATA_TYPES = frozenset(
    {
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_glue_catalog_database",
        "aws_glue_catalog_table",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_log_stream",
        "aws_kinesis_firehose_delivery_stream",
        "aws_secretsmanager_secret",
        "aws_dynamodb_table",
        "aws_redshiftserverless_namespace",
        "aws_redshift_cluster",
        "aws_organizations_account",
        "aws_transfer_server",
        "aws_quicksight_data_set",
        # Identity and address holders: recreating one gives partners and owners another
        # endpoint, host key, sign-in or user (the ForceNew table: silolake/catalog/changes/forcenew.py).
        "aws_redshiftserverless_workgroup",
        "aws_athena_workgroup",
        "aws_quicksight_data_source",
        "aws_cognito_user_pool",
        "aws_cognito_user",
        "aws_cloudfront_distribution",
        # Addresses partners and owners use: the sign-in domain of the user pool, the flow
        # API (REST) partners post records to, the partner API (HTTP) the pages call, and
        # their stages (the URL is the API's id plus the stage name: a destroyed stage is a
        # dead URL even while the API is kept). A re-created API gets another id, so another URL.
        "aws_cognito_user_pool_domain",
        "aws_api_gateway_rest_api",
        "aws_api_gateway_stage",
        "aws_apigatewayv2_api",
        "aws_apigatewayv2_stage",
        # Identity: a CodeConnections connection is authorized once, by hand, in the console
        # (docs/delivery.md); a re-created one waits PENDING and the release pipeline stops.
        "aws_codeconnections_connection",
    }
)


def forgotten_with_data(rtype: str) -> bool:
    """Types forgotten (never destroyed) with the data they belong to: the data types and
    a bucket's or key's attached configuration (destroying a bucket's public access block
    or TLS-only policy would weaken a bucket that stays in AWS)."""
    return rtype in DATA_TYPES or rtype.startswith("aws_s3_bucket_") or rtype == "aws_kms_alias"


def kept_addresses(stack: TerraformStack) -> set[str]:
    return {addr for _, addr in addresses(stack, forgotten_with_data)}


def _missing(ghost: TerraformStack, have: set[str], skip: str | None) -> list[tuple[str, str, str]]:
    """``(resource type, address, construct path of its parent)`` of the resources of
    ``ghost`` of the types :func:`_may_go` accepts whose address is not in ``have`` (and
    does not contain ``skip``), in one walk of the construct tree. Only those types pay for
    their address (one engine call), only the missing ones for their path (two more); the
    parent's path is the resource's own minus its last id (construct ids never contain ``/``)."""
    out = []
    for child in ghost.node.find_all():
        if isinstance(child, TerraformResource):
            rtype = resource_type(child)
            if _may_go(rtype):
                addr = f"{rtype}.{ghost.get_logical_id(child)}"
                if addr not in have and not (skip and skip in addr):
                    out.append((rtype, addr, child.node.path.rsplit("/", 1)[0]))
    return out


#: The network a Redshift Serverless workgroup sits in: destroying it while the forgotten
#: workgroup's interfaces are in its subnets fails (DependencyViolation), so it is forgotten too.
WORKGROUP_NETWORK = frozenset(
    {
        "aws_vpc",
        "aws_subnet",
        "aws_route_table",
        "aws_route_table_association",
        "aws_vpc_endpoint",
        "aws_security_group",
        "aws_default_security_group",
        "aws_flow_log",
    }
)


#: Types :func:`attached` gives attachments to.
_HOLDERS = ("aws_s3_bucket", "aws_kms_key", "aws_redshiftserverless_workgroup", "aws_api_gateway_stage")


def attached(holder: str, rtype: str) -> bool:
    """Whether a resource of ``rtype`` beside (same parent construct as) a forgotten
    ``holder`` is forgotten with it: a bucket's configuration, a key's alias, a workgroup's
    network, a REST API stage's deployment (API Gateway refuses to delete a deployment a
    stage serves: ``DeleteDeployment`` fails while "active stages" point to it)."""
    if holder == "aws_api_gateway_stage":
        return rtype == "aws_api_gateway_deployment"
    if holder == "aws_s3_bucket":
        return rtype.startswith("aws_s3_bucket_")
    if holder == "aws_kms_key":
        return rtype == "aws_kms_alias"
    return holder == "aws_redshiftserverless_workgroup" and rtype in WORKGROUP_NETWORK


def _may_go(rtype: str) -> bool:
    """Types :func:`gone_with_data` can return: data types and what can be attached to one."""
    return rtype in DATA_TYPES or any(attached(holder, rtype) for holder in _HOLDERS)


def gone_with_data(ghost: TerraformStack, stack: TerraformStack, *, skip: str | None = None) -> set[str]:
    """Data-holding addresses of ``ghost`` that ``stack`` no longer has, with what is
    :func:`attached` to them in the ghost. Attached configuration whose holder stays (e.g.
    the dropzone's CORS rule of an upload page turned off) is not included: it goes with
    the capability. ``skip``: a construct id whose addresses are left out (a ghost flow
    standing in for a capability). Both stacks are read for the types that can be
    returned only (:func:`_may_go`): the others cannot change the result."""
    rows = _missing(ghost, {addr for _, addr in addresses(stack, _may_go)}, skip)
    data = {a for t, a, _ in rows if t in DATA_TYPES}
    holders = {(p, t) for t, a, p in rows if a in data}
    return data | {a for t, a, p in rows if any(hp == p and attached(h, t) for hp, h in holders)}


def _emit(stack: TerraformStack, moved: list[dict], removed: Iterable[str]) -> None:
    blocks = [{"from": addr, "lifecycle": {"destroy": False}} for addr in sorted(removed)]
    if moved:
        stack.add_override("moved", moved)
    if blocks:
        stack.add_override("removed", blocks)


def _is_table(rtype: str) -> bool:
    return rtype == "aws_glue_catalog_table"


def earlier_versions(stack: TerraformStack, ctx: SiloContext) -> set[str]:
    """Addresses of the Glue tables of every schema version below each flow's current one
    (``storage.glue_tables.table_id`` gives each version its own), for ``removed`` blocks.

    One ghost holds the silo's Glue catalog construct (at the real one's path, so the same
    logical ids) with a stand-in of each versioned flow at each earlier version: the table
    ids differ per version, so they coexist, and the cost is one small construct tree
    whatever the versions (the schema caps ``schema_version`` at 99). Computed from the
    catalog alone, like every block here: a version that never was applied gives a no-op
    block."""
    from ..constructs.storage.glue_tables import GlueCatalog

    silo = ctx.silo
    earlier = tuple(dataclasses.replace(f, schema_version=k) for f in silo.flows for k in range(1, f.schema_version))
    if not earlier:
        return set()
    ghost = TerraformStack(scratch_app(), stack.node.id)
    # The real stack's context with the stand-in flows: its key and buckets are only read as
    # values the ghost never synthesizes (addresses are logical ids).
    GlueCatalog(ghost, "glue", ctx=dataclasses.replace(ctx, silo=dataclasses.replace(silo, flows=earlier)))
    return {a for _, a in addresses(ghost, _is_table)} - {a for _, a in addresses(stack, _is_table)}


def silo_blocks(stack: SiloStack, catalog: Catalog, silo: DeployedSilo) -> None:
    """``moved`` blocks for renamed flows; ``removed`` blocks for ``removed_flows`` and for
    every capability's data the silo no longer has (:func:`capabilities_ghost`)."""
    from .silo import SiloStack

    moved: list[dict] = []
    renamed = [f for f in silo.flows if f.renamed_from]
    if renamed:
        former = dataclasses.replace(
            silo,
            flows=tuple(
                dataclasses.replace(f, name=f.renamed_from, renamed_from=None) if f.renamed_from else f
                for f in silo.flows
            ),
        )
        # Renamed flows keep their AWS names, so both trees hold the same resources in the
        # same construct order; only the ids built from the flow name differ.
        old = addresses(SiloStack(scratch_app(), catalog=catalog, silo=former))
        new = addresses(stack)
        assert [t for t, _ in old] == [t for t, _ in new], "a rename must not change the resources built"
        moved = [{"from": a, "to": b} for (_, a), (_, b) in zip(old, new, strict=True) if a != b]
    from .readdress import adopted_imports, owner_moves

    moved += owner_moves(stack, silo)
    model = capabilities_ghost(silo)
    # A silo with every capability on and no removed flow is its own ghost: nothing to forget.
    gone = (
        set() if model == silo else gone_with_data(ghost_stack(catalog, model, silo), stack, skip=GHOST_WAREHOUSE_FLOW)
    )
    _emit(stack, moved, gone | earlier_versions(stack, stack.ctx))
    imports = adopted_imports(stack, catalog, silo)
    if imports:
        stack.add_override("import", imports)


def _workspaces(catalog: Catalog, consumer: AnalyticsConsumer, regions: list[str]) -> TerraformStack:
    """A ghost of the consumer's stack holding only its workspaces in ``regions`` (at the real
    ones' construct paths, so at their addresses)."""
    from ..constructs.analytics.workspace import RegionalWorkspace
    from .base import AccountStack

    ghost = AccountStack(
        scratch_app(),
        consumer.stack_name,
        catalog=catalog,
        account_id=consumer.account_id,
        region=consumer.region,
    )
    for region in regions:
        RegionalWorkspace(
            ghost, f"workspace-{region}", org=catalog.organization.name, consumer=consumer, region=region, silos=[]
        )
    return ghost


def _adopt(stack: TerraformStack, ghost: TerraformStack, account_id: str, region: str) -> None:
    """``import`` blocks for the importable resources of ``stack`` at an address of ``ghost``
    (what is adopted): the stack without them is the stack minus the ghost's addresses."""
    from .readdress import imports_of

    taken = {a for _, a in addresses(ghost)}
    blocks = imports_of(stack, {a for _, a in addresses(stack)} - taken, account_id, region)
    if blocks:
        stack.add_override("import", blocks)


def analytics_blocks(stack: TerraformStack, catalog: Catalog, consumer: AnalyticsConsumer, regions: list[str]) -> None:
    """``removed`` blocks for the data-holding resources of workspaces in every allowed
    region other than ``regions`` (those the stack builds); ``import`` blocks for the
    workspaces of the regions the consumer lists under ``adopt``."""
    gone = [r for r in catalog.organization.allowed_regions if r not in regions]
    if gone:
        _emit(stack, [], kept_addresses(_workspaces(catalog, consumer, gone)) - kept_addresses(stack))
    adopted = [r for r in consumer.adopt if r in regions]
    if adopted:
        _adopt(stack, _workspaces(catalog, consumer, adopted), consumer.account_id, consumer.region)


def _pipeline(catalog: Catalog) -> TerraformStack:
    """A ghost of the datalake stack holding only the master pipeline (at the real one's path)."""
    from ..catalog.model import DeliveryPipeline
    from ..constructs.delivery import MasterPipeline
    from .base import AccountStack

    dl = catalog.datalake
    ghost = AccountStack(scratch_app(), "datalake", catalog=catalog, account_id=dl.account_id, region=dl.region)
    # Either source kind builds the same data-holding resources; only their addresses are read.
    spec = DeliveryPipeline("GitHub", "ghost/ghost", "main", None, None, "BUILD_GENERAL1_MEDIUM", 60)
    MasterPipeline(
        ghost,
        "release",
        org=catalog.organization.name,
        account=dl,
        spec=spec,
        key_arn=arns.regional("kms", dl.region, dl.account_id, "key/ghost"),
        artifacts_bucket="ghost",
        access_log_bucket="ghost-logs",
        publisher_arn=arns.role(arns.partition_of(dl.region), dl.account_id, "ghost"),
    )
    return ghost


def datalake_blocks(stack: TerraformStack, catalog: Catalog) -> None:
    """``removed`` blocks for the master pipeline's data (artifact store bucket and its
    configuration, build log group) when the catalog has no ``delivery.pipeline``: removing
    the section forgets them, it never destroys them. With ``delivery.pipeline.adopt``,
    ``import`` blocks take them back."""
    if catalog.master_pipeline is None:
        _emit(stack, [], kept_addresses(_pipeline(catalog)) - kept_addresses(stack))
    elif catalog.master_pipeline.adopt:
        _adopt(stack, _pipeline(catalog), catalog.datalake.account_id, catalog.datalake.region)


def add_blocks(stacks: Iterable[TerraformStack], catalog: Catalog) -> None:
    """Add the ``moved``/``removed`` blocks of every silo, analytics and datalake stack built."""
    from .analytics import AnalyticsStack
    from .datalake import DatalakeStack
    from .silo import SiloStack

    for stack in stacks:
        if isinstance(stack, DatalakeStack):
            datalake_blocks(stack, catalog)
        elif isinstance(stack, SiloStack):
            silo_blocks(stack, catalog, stack.silo)
        elif isinstance(stack, AnalyticsStack):
            analytics_blocks(stack, catalog, stack.consumer, list(stack.workspaces))
