"""Addresses that change key, and resources taken back: the ``moved`` blocks of per-owner
resources and the ``import`` blocks of adopted flows (docs/day-2.md).

- Owners' Cognito users and alert subscriptions were keyed by list position
  (``owner-<index>``); they are keyed by e-mail now (:func:`silolake.aws.names.owner_construct_id`)
  and :func:`owner_moves` carries each positional address to its e-mail-keyed one.
- A flow with ``adopt: true`` re-creates what a removed flow of the same AWS name left in
  AWS (forgotten with ``removed { destroy = false }``), and so does a capability a silo
  lists under ``adopt`` (:mod:`silolake.catalog.adoptable`): :func:`adopted_imports` emits
  Terraform 1.5+ ``import`` blocks for it instead of a name collision at apply
  (:func:`imports_of` serves the master pipeline and analytics workspaces too). The blocks
  are top-level stack overrides like ``moved``/``removed`` (:mod:`.continuity`), so synth
  needs no Terraform binary (see ``constructs/blocks/moved.py``).
"""

from __future__ import annotations

import dataclasses

from ..aws import arns, names
from ..catalog import adoptable
from ..catalog.model import Catalog, DeployedSilo
from ..engine.cdk import Construct, TerraformResource, TerraformStack, Token
from .scratch import addresses, resource_type, scratch_app

#: Per-owner resources: construct id prefix by resource type (``names.owner_construct_id``).
OWNER_KINDS = {"aws_cognito_user": "owner", "aws_sns_topic_subscription": "alerts"}


def _former_address(stack: TerraformStack, resource: TerraformResource, former_id: str) -> str:
    """The address ``resource`` had when its construct id was ``former_id`` (same parent
    construct path in the same stack): built in a scratch app, read from CDKTF's allocator."""
    scopes = resource.node.scopes
    inner = [c.node.id for c in scopes[scopes.index(stack) + 1 : -1]]
    scratch = TerraformStack(scratch_app(), stack.node.id)
    scope: Construct = scratch
    for cid in inner:
        scope = Construct(scope, cid)
    rtype = resource.terraform_resource_type
    return f"{rtype}.{scratch.get_logical_id(TerraformResource(scope, former_id, terraform_resource_type=rtype))}"


def owner_moves(stack: TerraformStack, silo: DeployedSilo) -> list[dict]:
    """``moved`` blocks from the positional addresses owners' Cognito users and alert
    subscriptions had (``owner-<index>``, ``alerts-<index>``, index in today's ``owners``) to
    their e-mail-keyed ones. Applied once to a stack last deployed with positional
    addresses (same owners list), they keep every user and subscription; afterwards the
    positional addresses are no longer in the state and the blocks are no-ops. Reordering
    the list in the same change as the upgrade would pair the wrong owners: upgrade first."""
    position = {owner: i for i, owner in enumerate(silo.owners)}
    moves = []
    for child in stack.node.find_all():
        if not isinstance(child, TerraformResource):
            continue
        kind = OWNER_KINDS.get(resource_type(child))
        if kind is None:
            continue
        owner = next((o for o in position if child.node.id == names.owner_construct_id(kind, o)), None)
        if owner is not None:
            to = f"{resource_type(child)}.{stack.get_logical_id(child)}"
            moves.append({"from": _former_address(stack, child, f"{kind}-{position[owner]}"), "to": to})
    return moves


def _import_id(resource: TerraformResource, account_id: str, region: str, database: str) -> str | None:
    """The id ``terraform import`` takes for a data-, identity- or address-holding resource
    (the "Import" section of each type in the provider documentation,
    hashicorp/terraform-provider-aws ``website/docs/r/<type>.html.markdown``), from the values
    configured (``*_input``: the attribute getters would be references to the resource being
    imported); ``None`` for a type imported by an id AWS generates. ``database``: the Glue
    database of the stack's tables."""
    rtype, r = resource.terraform_resource_type, resource
    if rtype == "aws_cloudwatch_log_stream":
        # The stream names its group by reference; the group is its sibling construct.
        [group] = [
            c
            for c in r.node.scope.node.children
            if isinstance(c, TerraformResource) and c.terraform_resource_type == "aws_cloudwatch_log_group"
        ]
        return f"{group.name_input}:{r.name_input}"
    if rtype == "aws_glue_catalog_table":
        return f"{account_id}:{database}:{r.name_input}"
    if rtype == "aws_kinesis_firehose_delivery_stream":
        return arns.regional("firehose", region, account_id, f"deliverystream/{r.name_input}")
    if rtype == "aws_quicksight_data_source":  # "AWS account ID, and data source ID ... separated by a slash"
        return f"{account_id}/{r.data_source_id_input}"
    attr = _BY_NAME.get(rtype)
    return None if attr is None else getattr(r, attr)


#: Types imported by one configured name (log groups, tables, buckets, workgroups, aliases,
#: the Cognito domain: "import ... using the <name>"), with the attribute holding it.
_BY_NAME = {
    "aws_cloudwatch_log_group": "name_input",
    "aws_dynamodb_table": "name_input",
    "aws_s3_bucket": "bucket_input",
    "aws_redshiftserverless_namespace": "namespace_name_input",
    "aws_redshiftserverless_workgroup": "workgroup_name_input",
    "aws_athena_workgroup": "name_input",
    "aws_kms_alias": "name_input",
    "aws_cognito_user_pool_domain": "domain_input",
}

#: Forgotten types whose import id synth can name (an id AWS generates, such as a VPC's,
#: a Transfer server's, a user pool's, a distribution's or a KMS key's, cannot be known
#: offline: those are created anew).
IMPORTABLE = frozenset(
    {
        "aws_cloudwatch_log_stream",
        "aws_glue_catalog_table",
        "aws_kinesis_firehose_delivery_stream",
        "aws_quicksight_data_source",
        *_BY_NAME,
    }
)


def imports_of(stack: TerraformStack, before: set[str], account_id: str, region: str, database: str = "") -> list[dict]:
    """``import`` blocks (Terraform >= 1.5, config-driven import) for the :data:`IMPORTABLE`
    resources of ``stack`` whose address is not in ``before`` (the addresses of the same
    stack without what is taken back): ``to`` = address, ``id`` = :func:`_import_id`. An
    import of an address already in the state with that id is a no-op."""
    blocks = []
    for child in stack.node.find_all():
        if not isinstance(child, TerraformResource) or child.terraform_resource_type not in IMPORTABLE:
            continue
        to = f"{child.terraform_resource_type}.{stack.get_logical_id(child)}"
        if to in before:
            continue
        ident = _import_id(child, account_id, region, database)
        # An id still naming another resource's generated id (e.g. the execution log group
        # of a REST API, which was destroyed and is created anew) is a new name: created.
        if ident is not None and not Token.is_unresolved(ident):
            blocks.append({"to": to, "id": ident})
    return blocks


def adopted_imports(stack: TerraformStack, catalog: Catalog, silo: DeployedSilo) -> list[dict]:
    """``import`` blocks for the data-holding resources of the flows with ``adopt: true`` and
    of the units the silo lists under ``adopt`` (:mod:`silolake.catalog.adoptable`): a
    removed flow's tables, stream and log groups, a warehouse's namespace and workgroup, ...
    were forgotten (``removed``, destroy = false) and are still in AWS under the same names,
    so creating them again would collide; importing takes them back.

    A flow's imports are the difference between this stack and the same silo without the
    adopted flows: whatever exists only because of them (the landing function's log group of
    the only file flow, partner access's lockout table of the only api flow) was forgotten
    with them and is imported too. A unit's imports are the importable resources under its
    construct paths (:meth:`~silolake.catalog.adoptable.Capability.holds`). Once applied,
    the blocks are no-ops (the addresses are in the state with those ids), so they may stay
    while the catalog keeps ``adopt``."""
    from .silo import SiloStack

    if not any(f.adopt for f in silo.flows) and not silo.adopt:
        return []
    before = {a for _, a in addresses(stack)}
    if any(f.adopt for f in silo.flows):
        kept = dataclasses.replace(silo, flows=tuple(f for f in silo.flows if not f.adopt))
        before = {a for _, a in addresses(SiloStack(scratch_app(), catalog=catalog, silo=kept))}
    units = [adoptable.BY_NAME[n] for n in silo.adopt]
    if units:
        root = len(stack.node.path) + 1
        held = {
            f"{resource_type(c)}.{stack.get_logical_id(c)}"
            for c in stack.node.find_all()
            if isinstance(c, TerraformResource) and any(u.holds(c.node.path[root:]) for u in units)
        }
        before = before - held
    return imports_of(stack, before, silo.account_id, silo.region, names.glue_database(silo.name))
