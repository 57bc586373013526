"""Delivery capability: the org-restricted artifacts store deployment bundles go through, and
the master leg of the AWS-native pipeline that publishes them."""

from .artifacts import ArtifactsStore
from .master_pipeline import MasterPipeline

__all__ = ["ArtifactsStore", "MasterPipeline"]
