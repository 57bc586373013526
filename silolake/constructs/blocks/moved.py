"""Terraform ``moved`` blocks, emitted without the engine's ``terraform version`` probe.

``TerraformResource.move_from_id`` renders ``{"from": <old address>, "to": <resource's
address>}``, but any resource move also makes the engine's stack synthesizer add a
validation that runs ``terraform version`` (cdktn 0.24 and cdktf 0.21,
``synthesize/synthesizer.js``: ``ValidateTerraformVersion(">=1.5")``). Synth then needs a
Terraform binary (without one the stack fails validation and synth exits 1), and each
probe contacts HashiCorp's checkpoint service unless ``CHECKPOINT_DISABLE`` is set; a
synth should read the catalog and write JSON, nothing else.

:class:`MovedBlocks` is a plain ``TerraformElement`` rendering the same blocks and the
same ``//`` metadata (``moved: {<type>: [<logical id>]}``) as ``move_from_id``, so the
synthesized stack is unchanged and the engine sees no resource move to probe for. The probe
guarded Terraform >= 1.5; every stack already needs >= 1.10 (the S3 backend's native
locking, ``use_lockfile``), and the pinned CLI is :data:`silolake.aws.versions.TERRAFORM_VERSION`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...engine.cdk import Construct, TerraformElement, TerraformResource


class MovedBlocks(TerraformElement):
    """``moved`` blocks carrying ``(resource, former address)`` pairs to ``resource``.

    A former address is ``<type>.<logical id>``, e.g. ``aws_iam_role.ingestion_role_0447A189``;
    the new one is read at synth (after any ``override_logical_id``). Blocks render in the
    order given."""

    def __init__(self, scope: Construct, id: str, moves: Sequence[tuple[TerraformResource, str]]) -> None:
        super().__init__(scope, id)
        for resource, former in moves:
            rtype = former.split(".", 1)[0]
            if rtype != resource.terraform_resource_type:
                raise ValueError(f"cannot move {former} to a {resource.terraform_resource_type} resource")
        self._moves = list(moves)

    def _to(self, resource: TerraformResource) -> str:
        return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"

    def to_terraform(self) -> Any:
        return {"moved": [{"to": self._to(resource), "from": former} for resource, former in self._moves]}

    def to_metadata(self) -> Any:
        moved: dict[str, list[str]] = {}
        for resource, _ in self._moves:
            moved.setdefault(resource.terraform_resource_type, []).append(resource.friendly_unique_id)
        return {"moved": moved}
