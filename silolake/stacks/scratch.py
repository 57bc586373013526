"""Addresses read from CDKTF's own logical-id allocation, in apps that are never synthesized.

:mod:`silolake.stacks.continuity` (``moved``/``removed`` blocks) and
:mod:`silolake.stacks.readdress` (owner moves, adopted imports) both build *ghost* stacks or
constructs in a scratch app and read the addresses Terraform knows them by; both import this
module, neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.cdk import APP_CONTEXT, App, TerraformResource, TerraformStack


def scratch_app() -> App:
    """An ``App`` with the real app's logical-id rules (:data:`silolake.engine.cdk.APP_CONTEXT`), never synthesized."""
    return App(context=dict(APP_CONTEXT), skip_validation=True)


#: Resource type of each provider class (``TF_RESOURCE_TYPE``), read from the engine once per class.
_CLASS_TYPES: dict[type, str] = {}


def resource_type(resource: TerraformResource) -> str:
    """``resource``'s Terraform type. Every attribute read is a round trip to the engine's
    process, and the ghost walks (continuity, readdress) visit every resource of a stack (silo stacks hold ~250):
    a provider class has one type, so it is asked once per class (the generic
    ``TerraformResource``, whose instances carry any type, is asked every time)."""
    cls = type(resource)
    if "TF_RESOURCE_TYPE" not in vars(cls):
        return resource.terraform_resource_type
    if cls not in _CLASS_TYPES:
        _CLASS_TYPES[cls] = resource.terraform_resource_type
    return _CLASS_TYPES[cls]


def addresses(stack: TerraformStack, only: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """``(resource type, address)`` of every resource in ``stack`` (of the types ``only``
    accepts, when given), in construct order."""
    out = []
    for child in stack.node.find_all():
        if isinstance(child, TerraformResource):
            rtype = resource_type(child)
            if only is None or only(rtype):
                out.append((rtype, f"{rtype}.{stack.get_logical_id(child)}"))
    return out
