"""Stacks: one per AWS account; they only compose constructs from ``silolake.constructs``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from functools import partial

from ..catalog.model import Catalog
from ..cdk import App, TerraformStack
from .analytics import AnalyticsStack
from .datalake import DatalakeStack
from .org import OrgStack
from .silo import SiloStack

__all__ = ["build_app"]


def build_app(app: App, catalog: Catalog, stacks: Sequence[str] | None = None) -> list[str]:
    """Add the stacks of ``catalog`` to ``app``; return their names in order.

    ``stacks``: names or globs (``silo-*``); only matching stacks are constructed (a stack
    never reads another stack's constructs, so any subset synthesizes alone)."""

    def wanted(name: str) -> bool:
        return stacks is None or any(fnmatchcase(name, pattern) for pattern in stacks)

    factories: list[tuple[str, Callable[[], TerraformStack]]] = [
        ("org", lambda: OrgStack(app, catalog=catalog)),
        ("datalake", lambda: DatalakeStack(app, catalog=catalog)),
    ]
    factories += [(s.stack_name, partial(SiloStack, app, catalog=catalog, silo=s)) for s in catalog.deployable_silos]
    factories += [(c.stack_name, partial(AnalyticsStack, app, catalog=catalog, consumer=c)) for c in catalog.analytics]
    return [factory().node.id for name, factory in factories if wanted(name)]
