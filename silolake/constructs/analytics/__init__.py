"""Analytics capability: a consumer's Athena workspace over the silos it may read."""

from .workspace import RegionalWorkspace

__all__ = ["RegionalWorkspace"]
