"""Delivery capability: the org-restricted artifacts store deployment bundles go through."""

from .artifacts import ArtifactsStore

__all__ = ["ArtifactsStore"]
