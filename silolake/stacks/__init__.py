"""Stacks: one per AWS account; they only compose constructs from ``silolake.constructs``."""

from __future__ import annotations

from ..catalog.model import Catalog
from ..cdk import App
from . import continuity
from .analytics import AnalyticsStack
from .datalake import DatalakeStack
from .org import OrgStack
from .silo import SiloStack

__all__ = ["build_app"]


def build_app(app: App, catalog: Catalog) -> list[str]:
    """Add every stack of ``catalog`` to ``app``; return the stack names in order."""
    stacks = [OrgStack(app, catalog=catalog), DatalakeStack(app, catalog=catalog)]
    stacks += [SiloStack(app, catalog=catalog, silo=silo) for silo in catalog.deployable_silos]
    stacks += [AnalyticsStack(app, catalog=catalog, consumer=c) for c in catalog.analytics]
    continuity.add_blocks(stacks, catalog)
    return [s.node.id for s in stacks]
