"""Two renderings of one synthesized stack: from outside the account, and from inside it.

Every stack's provider and S3 backend assume the account's deploy role
(``organization.deploy_role_name``), which central CI reaches from outside the account.
A runner that already *is* inside the account (the silo pipeline's CodeBuild role, the
per-account GitHub OIDC plan role) cannot assume it: the organization's access role
trusts only the management account. Both must deploy the *same* ``cdk.tf.json``.

* The provider's role is the Terraform variable :data:`ROLE_VARIABLE` (default: the deploy
  role) feeding a ``dynamic "assume_role"`` block over ``compact([var.deploy_role_arn])``:
  empty, the block vanishes and the provider uses the runner's credentials, still pinned by
  ``allowed_account_ids``.
* A backend cannot read variables, and ``-backend-config`` can add or replace arguments
  but never remove ``assume_role``. So the in-account rendering is a Terraform *override
  file* (:data:`OVERRIDE_FILE`) written beside ``cdk.tf.json``: Terraform merges
  ``*_override.tf.json`` files after the others; a ``backend`` block there replaces the
  original backend as a whole, and a ``variable`` block replaces the variable's default
  (https://developer.hashicorp.com/terraform/language/files/override).

Nothing changes for central CI or ``npx cdktf deploy``: without the override file the stack
is exactly what synth wrote. The override is derived from ``cdk.tf.json`` alone (same
bucket, key, region, encryption, lock file and account pin; no ``assume_role``), so it
cannot point the backend anywhere else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = [
    "OVERRIDE_FILE",
    "ROLE_VARIABLE",
    "RenderError",
    "in_account_override",
    "provider_role_arn",
    "write_in_account",
]

#: Terraform variable holding the role the AWS provider assumes ("" = none).
ROLE_VARIABLE = "deploy_role_arn"
ROLE_VARIABLE_DESCRIPTION = (
    "Role the AWS provider assumes in this stack's account; empty: the runner's own credentials "
    "(in-account rendering, docs/delivery.md)"
)
#: The in-account rendering (Terraform loads ``*_override.tf.json`` files after the others).
OVERRIDE_FILE = "silolake_in_account_override.tf.json"
STACK_FILE = "cdk.tf.json"


class RenderError(UsageError, ValueError):
    """The directory holds no synthesized silolake stack, or one without an S3 backend."""


def _stack(stack_dir: Path) -> dict[str, Any]:
    path = Path(stack_dir) / STACK_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(f"{stack_dir}: no {STACK_FILE} (not a synthesized stack)") from None


def provider_role_arn(stack: dict[str, Any]) -> str:
    """The role the stack's AWS provider assumes when nothing overrides it (central CI)."""
    try:
        return stack["variable"][ROLE_VARIABLE]["default"]
    except KeyError:
        raise RenderError(f"the stack has no {ROLE_VARIABLE!r} variable (synthesized by an older silolake?)") from None


def in_account_override(stack: dict[str, Any]) -> dict[str, Any]:
    """The override document for a synthesized ``stack`` (its parsed ``cdk.tf.json``).

    Raises :class:`RenderError` if the stack has no S3 backend or no role variable."""
    provider_role_arn(stack)  # refuse a stack this rendering does not fit
    backend = stack.get("terraform", {}).get("backend", {}).get("s3")
    if not isinstance(backend, dict):
        raise RenderError("the stack has no S3 backend")
    own = {k: v for k, v in backend.items() if k != "assume_role"}
    return {
        "//": "silolake in-account rendering: the runner's own credentials, no deploy role (docs/delivery.md)",
        "variable": {ROLE_VARIABLE: {"default": ""}},
        "terraform": {"backend": {"s3": own}},
    }


def write_in_account(stack_dir: Path) -> Path:
    """Write :data:`OVERRIDE_FILE` into ``stack_dir`` (idempotent); returns its path."""
    doc = in_account_override(_stack(stack_dir))
    out = Path(stack_dir) / OVERRIDE_FILE
    out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out
