"""Addresses read from CDKTF's own logical-id allocation, in apps that are never synthesized.

:mod:`silolake.stacks.continuity` (``moved``/``removed`` blocks) and
:mod:`silolake.stacks.readdress` (owner moves, adopted imports) both build *ghost* stacks or
constructs in a scratch app and read the addresses Terraform knows them by; both import this
module, neither imports the other's internals.
"""

from __future__ import annotations

from ..cdk import APP_CONTEXT, App, TerraformResource, TerraformStack


def scratch_app() -> App:
    """An ``App`` with the real app's logical-id rules (:data:`silolake.cdk.APP_CONTEXT`), never synthesized."""
    return App(context=dict(APP_CONTEXT), skip_validation=True)


def addresses(stack: TerraformStack) -> list[tuple[str, str]]:
    """``(resource type, address)`` of every resource in ``stack``, in construct order."""
    out = []
    for child in stack.node.find_all():
        if isinstance(child, TerraformResource):
            rtype = child.terraform_resource_type
            out.append((rtype, f"{rtype}.{stack.get_logical_id(child)}"))
    return out
