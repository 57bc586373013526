"""ForceNew attributes of the data-, identity- and address-holding resources silolake emits.

Changing one of these attributes makes Terraform *replace* the resource (destroy, then
create): for a namespace, a Transfer server or a user that is the same loss as removing it.
:func:`replacements` compares two syntheses of a stack address by address and reports
those replaced; the day-2 edit tests count them as lost (docs/day-2.md).

Each row cites the provider source it was read from (``hashicorp/terraform-provider-aws``,
path at a commit; ``ForceNew: true`` in the SDK schema or ``RequiresReplace()`` in the
framework schema). A type silolake emits but not listed here is compared by address only.

Sources are paths under ``internal/service/`` at the commit read:

- ``aws_redshiftserverless_namespace``: ``namespace_name``, ``db_name``
  (``redshiftserverless/namespace.go`` @209cc4dc)
- ``aws_redshiftserverless_workgroup``: ``workgroup_name``, ``namespace_name``
  (``redshiftserverless/workgroup.go`` @01c08000)
- ``aws_transfer_server``: ``domain``, ``identity_provider_type``, and
  ``endpoint_details.vpc_id`` once set (``transfer/server.go`` @02209241)
- ``aws_cognito_user``: ``user_pool_id``, ``username`` (``cognitoidp/user.go`` @01739318)
- ``aws_athena_workgroup``: ``name`` (``athena/workgroup.go`` @0148137d)
"""

from __future__ import annotations

from typing import Any

#: resource type -> attributes whose change replaces the resource (table above).
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "aws_redshiftserverless_namespace": ("namespace_name", "db_name"),
    "aws_redshiftserverless_workgroup": ("workgroup_name", "namespace_name"),
    "aws_transfer_server": ("domain", "identity_provider_type"),
    "aws_cognito_user": ("user_pool_id", "username"),
    "aws_athena_workgroup": ("name",),
}


def replacements(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """``{address: [changed ForceNew attributes]}`` of the resources present at the same
    address in both synthesized stacks (``cdk.tf.json`` documents) that Terraform would
    replace. Attribute values are compared as written (references included)."""
    out: dict[str, list[str]] = {}
    for rtype, attributes in FORCE_NEW.items():
        old, new = before.get("resource", {}).get(rtype, {}), after.get("resource", {}).get(rtype, {})
        for name in old.keys() & new.keys():
            changed = [a for a in attributes if old[name].get(a) != new[name].get(a)]
            if changed:
                out[f"{rtype}.{name}"] = changed
    return out
