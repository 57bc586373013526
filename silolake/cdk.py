"""The one door to CDKTF and the prebuilt AWS provider bindings.

CDKTF was archived upstream (2025-12-10); its community continuation, CDK Terrain,
ships the same class names as ``cdktn`` / ``cdktn_provider_aws``. Every other module
imports ``cdktf`` things and provider submodules through here, so a switch is a change
of the two module names below.

Provider submodules are imported on first attribute access (``aws.s3_bucket``): the
provider package holds ~2,000 of them and importing one costs jsii time, so we only
pay for what a synth actually uses.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

# jsii warns on every process start that Node 20 is past end-of-life; the README pins
# Node 20 as the supported runtime, so the banner is noise in every synth and test run.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,22")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import cdktf as _cdktf
from constructs import Construct

CDKTF_MODULE = "cdktf"
PROVIDER_MODULE = "cdktf_cdktf_provider_aws"

App = _cdktf.App
Fn = _cdktf.Fn
S3Backend = _cdktf.S3Backend
TerraformAsset = _cdktf.TerraformAsset
AssetType = _cdktf.AssetType
TerraformOutput = _cdktf.TerraformOutput
TerraformStack = _cdktf.TerraformStack
TerraformResource = _cdktf.TerraformResource
TerraformResourceLifecycle = _cdktf.TerraformResourceLifecycle
Testing = _cdktf.Testing
Token = _cdktf.Token


class _Provider(ModuleType):
    """Lazy view of the provider package: ``aws.kms_key.KmsKey`` imports ``kms_key`` on use."""

    def __getattr__(self, name: str) -> ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        module = importlib.import_module(f"{PROVIDER_MODULE}.{name}")
        setattr(self, name, module)
        return module


aws = _Provider(PROVIDER_MODULE)

__all__ = [
    "App",
    "AssetType",
    "Construct",
    "Fn",
    "S3Backend",
    "TerraformAsset",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Testing",
    "Token",
    "aws",
]
