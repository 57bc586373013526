"""Delivery capability: the org-restricted artifacts store deployment bundles go through, the
master leg of the AWS-native pipeline that publishes them, the silo leg that deploys them,
bundle-event forwarding and per-account GitHub plan access."""

from .artifacts import ArtifactsStore
from .bundle_events import BundleForwarding
from .github_plan import GithubPlanAccess
from .master_pipeline import MasterPipeline
from .silo_pipeline import BundleSource, SiloPipeline

__all__ = ["ArtifactsStore", "BundleForwarding", "BundleSource", "GithubPlanAccess", "MasterPipeline", "SiloPipeline"]
