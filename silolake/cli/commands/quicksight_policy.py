"""``silolake quicksight-policy``: print the IAM policy for QuickSight's service role in a silo
account (stdout) and the command that puts it on the role (stderr)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...catalog import load_catalog
from ...errors import UsageError
from ..shared.common import catalog_path, deployed_silo, err


@click.command("quicksight-policy")
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo whose QuickSight data source to serve.")
def quicksight_policy(path: Path, silo_name: str) -> None:
    """Print the IAM policy for QuickSight's service role in a silo account (stdout) and the
    command that puts it on the role (stderr).

    The silo stack already grants the role (bucket and key policies); this is the same access
    as an identity policy, for QuickSight's own "S3 buckets" permissions (docs/etl.md).
    """
    from ...policy import quicksight

    catalog = load_catalog(path)
    silo = deployed_silo(catalog, path, silo_name, "no QuickSight data source to serve yet")
    if not quicksight.wanted(silo):
        raise UsageError(f"silo '{silo_name}' has no flow with quicksight: true")
    click.echo(json.dumps(quicksight.role_policy(catalog.organization.name, silo), indent=2, sort_keys=True))
    # The policy alone on stdout (redirect it into the file); the command on stderr.
    err.print(
        f"# In account {silo.account_id}, with the policy above saved as {quicksight.INLINE_POLICY}.json:\n"
        f"aws iam put-role-policy --role-name {quicksight.SERVICE_ROLE} "
        f"--policy-name {quicksight.INLINE_POLICY} --policy-document file://{quicksight.INLINE_POLICY}.json",
        markup=False,
    )


command = quicksight_policy
