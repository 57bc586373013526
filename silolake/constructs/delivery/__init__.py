"""Delivery capability: the org-restricted artifacts store deployment bundles go through,
the silo leg of the AWS-native pipeline, bundle-event forwarding and per-account GitHub plan access."""

from .artifacts import ArtifactsStore
from .bundle_events import BundleForwarding
from .github_plan import GithubPlanAccess
from .silo_pipeline import BundleSource, SiloPipeline

__all__ = ["ArtifactsStore", "BundleForwarding", "BundleSource", "GithubPlanAccess", "SiloPipeline"]
