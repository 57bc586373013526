"""Stacks: one per AWS account; they only compose constructs from ``silolake.constructs``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..aws.terraform_text import terraform_view
from ..catalog.model import Catalog
from ..engine.cdk import App, Construct
from . import continuity
from .analytics import AnalyticsStack
from .base import AccountStack
from .datalake import DatalakeStack
from .org import OrgStack
from .silo import SiloStack

__all__ = ["build_app", "stack_builders"]

#: Builds one stack into the given scope (an ``App``).
StackBuilder = Callable[[Construct], AccountStack]


def stack_builders(catalog: Catalog) -> dict[str, StackBuilder]:
    """``{stack name: builder}`` for every stack of ``catalog``, in deploy order; nothing is constructed.

    The names and their order equal :func:`silolake.catalog.topology.stack_targets` (which needs no engine).
    Stacks are built from the catalog's Terraform view: catalog text reaches the JSON
    escaped, so Terraform reads it literally (:mod:`silolake.aws.terraform_text`)."""
    catalog = terraform_view(catalog)
    builders: dict[str, StackBuilder] = {
        "org": partial(OrgStack, catalog=catalog),
        "datalake": partial(DatalakeStack, catalog=catalog),
    }
    builders.update({s.stack_name: partial(SiloStack, catalog=catalog, silo=s) for s in catalog.deployable_silos})
    builders.update({c.stack_name: partial(AnalyticsStack, catalog=catalog, consumer=c) for c in catalog.analytics})
    return {name: partial(_with_continuity, build, catalog) for name, build in builders.items()}


def _with_continuity(build: StackBuilder, catalog: Catalog, scope: Construct) -> AccountStack:
    """Build one stack, then add its ``moved``/``removed`` blocks (:mod:`.continuity`): no
    catalog edit takes a data-holding resource out of the configuration silently."""
    stack = build(scope)
    continuity.add_blocks([stack], catalog)
    return stack


def build_app(app: App, catalog: Catalog) -> list[str]:
    """Add every stack of ``catalog`` to ``app``; return the stack names in order."""
    return [build(app).node.id for build in stack_builders(catalog).values()]
