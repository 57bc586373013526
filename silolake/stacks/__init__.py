"""Stacks: one per AWS account; they only compose constructs from ``silolake.constructs``."""

from __future__ import annotations

from ..catalog.model import Catalog
from ..cdk import App
from ..terraform_text import terraform_view
from .analytics import AnalyticsStack
from .datalake import DatalakeStack
from .org import OrgStack
from .silo import SiloStack

__all__ = ["build_app"]


def build_app(app: App, catalog: Catalog) -> list[str]:
    """Add every stack of ``catalog`` to ``app``; return the stack names in order.

    Stacks are built from the catalog's Terraform view: catalog text reaches the JSON
    escaped, so Terraform reads it literally (:mod:`silolake.terraform_text`)."""
    catalog = terraform_view(catalog)
    stacks = [OrgStack(app, catalog=catalog), DatalakeStack(app, catalog=catalog)]
    stacks += [SiloStack(app, catalog=catalog, silo=silo) for silo in catalog.deployable_silos]
    stacks += [AnalyticsStack(app, catalog=catalog, consumer=c) for c in catalog.analytics]
    return [s.node.id for s in stacks]
