"""Addresses that change key, and resources taken back: the ``moved`` blocks of per-owner
resources and the ``import`` blocks of adopted flows (docs/day-2.md).

- Owners' Cognito users and alert subscriptions were keyed by list position
  (``owner-<index>``); they are keyed by e-mail now (:func:`silolake.aws.names.owner_construct_id`)
  and :func:`owner_moves` carries each positional address to its e-mail-keyed one.
- A flow with ``adopt: true`` re-creates what a removed flow of the same AWS name left in
  AWS (forgotten with ``removed { destroy = false }``): :func:`adopted_imports` emits
  Terraform 1.5+ ``import`` blocks for it instead of a name collision at apply. The blocks
  are top-level stack overrides like ``moved``/``removed`` (:mod:`.continuity`), so synth
  needs no Terraform binary (see ``constructs/blocks/moved.py``).
"""

from __future__ import annotations

import dataclasses

from ..aws import arns, names
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


def _import_id(resource: TerraformResource, silo: DeployedSilo) -> str:
    """The id ``terraform import`` takes for a data-holding resource (the "Import" section of
    each type in the provider documentation), from the values configured (``*_input``: the
    attribute getters would be references to the resource being imported)."""
    rtype, r = resource.terraform_resource_type, resource
    if rtype == "aws_cloudwatch_log_stream":
        # The stream names its group by reference; the group is its sibling construct.
        [group] = [
            c
            for c in r.node.scope.node.children
            if isinstance(c, TerraformResource) and c.terraform_resource_type == "aws_cloudwatch_log_group"
        ]
        out = f"{group.name_input}:{r.name_input}"
    elif rtype == "aws_glue_catalog_table":
        out = f"{silo.account_id}:{names.glue_database(silo.name)}:{r.name_input}"
    elif rtype == "aws_kinesis_firehose_delivery_stream":
        out = arns.regional("firehose", silo.region, silo.account_id, f"deliverystream/{r.name_input}")
    else:  # log groups and DynamoDB tables are imported by name
        out = r.name_input
    return out


#: Data-holding types whose import id synth can name (an id AWS generates, such as a user
#: pool's or a distribution's, cannot be known offline: those are re-created).
IMPORTABLE = frozenset(
    {
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_log_stream",
        "aws_glue_catalog_table",
        "aws_kinesis_firehose_delivery_stream",
        "aws_dynamodb_table",
    }
)


def adopted_imports(stack: TerraformStack, catalog: Catalog, silo: DeployedSilo) -> list[dict]:
    """``import`` blocks (Terraform >= 1.5, config-driven import) for the data-holding
    resources of the flows with ``adopt: true``: a removed flow's tables, stream and log
    groups were forgotten (``removed``, destroy = false) and are still in AWS under the same
    names, so creating them again would collide; importing takes them back. Whatever exists
    only because of those flows (e.g. the landing function's log group of the only file
    flow) was forgotten with them and is imported too. An import of an
    address already in the state with that id is a no-op, so the blocks stay while the
    catalog keeps ``adopt``."""
    from .silo import SiloStack

    if not any(f.adopt for f in silo.flows):
        return []
    without = dataclasses.replace(silo, flows=tuple(f for f in silo.flows if not f.adopt))
    before = {a for _, a in addresses(SiloStack(scratch_app(), catalog=catalog, silo=without))}
    found = [
        (f"{c.terraform_resource_type}.{stack.get_logical_id(c)}", c)
        for c in stack.node.find_all()
        if isinstance(c, TerraformResource) and c.terraform_resource_type in IMPORTABLE
    ]
    blocks = []
    for to, child in found:
        if to in before:
            continue
        ident = _import_id(child, silo)
        # An id still naming another resource's generated id (e.g. the execution log group
        # of a REST API, which was destroyed and is created anew) is a new name: created.
        if not Token.is_unresolved(ident):
            blocks.append({"to": to, "id": ident})
    return blocks
