"""``silolake bootstrap``: turn catalog entries into usable accounts (boto3).

Runs with management-account credentials (the default credential chain), after each
``org`` apply that creates accounts (and once before the very first one):

1. reads the organization, its root and the DataLake/Silos/Analytics OUs by name;
2. finds the account id of every email-only silo in Organizations (by e-mail);
3. in every account of the catalog, creates the Terraform state bucket that account's
   stack uses, if missing, or repairs its guardrails (assuming the catalog's deploy
   role; the management account uses the caller's own credentials);
4. records the ids in ``accounts.lock.json`` (stable JSON, committed) for synth.

Idempotent: a second run reads, finds nothing to do and writes nothing. ``dry_run``
performs only read calls, and that is enforced: every client refuses a mutating call
in dry-run mode, so a planning bug cannot turn into a change.
The bucket guardrails (and why SSE-S3) are in :mod:`silolake.accounts.state_buckets`, the
per-account clients and the dry-run guard in :mod:`.clients`, the organization reads (steps
1 and 2) in :mod:`.organization`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..aws import names
from ..catalog import CatalogError, validate_file
from ..catalog.lock import AccountsLock, read_lock, write_lock
from ..catalog.model import Catalog, OrgLayout, build_catalog, with_account
from ..catalog.topology import stack_targets
from .clients import AccountClients, AwsRefused, BootstrapError, NotApplied, aws_message
from .organization import check_management, discover_layout, placement_warnings, resolve_accounts
from .state_buckets import (
    ALL_GUARDRAILS,
    BucketNotAccessible,
    bucket_missing,
    create_bucket,
    error_code,
    guardrail_fixes,
)


@dataclass(frozen=True)
class Target:
    """One account whose stack needs a state bucket in one region."""

    account_id: str
    region: str
    who: str

    def label(self) -> str:
        return f"{self.who} ({self.account_id}, {self.region})"


@dataclass
class Report:
    layout: OrgLayout
    lock: AccountsLock
    lock_changed: bool
    changes: list[str] = field(default_factory=list)  # applied, or planned in a dry run
    warnings: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)  # mutating API calls actually made

    @property
    def up_to_date(self) -> bool:
        return not self.changes and not self.lock_changed


# -- state buckets ------------------------------------------------------------------------


def with_accounts(catalog: Catalog, resolved: dict[str, str]) -> Catalog:
    """``catalog`` with the resolved ids filled in, as synth will see it after the lock is written."""
    return dataclasses.replace(
        catalog,
        silos=tuple(with_account(s, resolved.get(s.name)) for s in catalog.silos),
    )


def state_targets(catalog: Catalog) -> list[Target]:
    """Every (account, region) a stack keeps its state in, in deployment order."""
    seen, targets = set(), []
    for stack in stack_targets(catalog):
        if (stack.account_id, stack.region) not in seen:
            seen.add((stack.account_id, stack.region))
            targets.append(Target(stack.account_id, stack.region, f"stack {stack.name}"))
    return targets


def ensure_state_bucket(
    aws: AccountClients, catalog: Catalog, target: Target, dry_run: bool, note: Callable[[str], None]
) -> None:
    """Create the target's state bucket if missing and set every guardrail it lacks."""
    bucket = names.state_bucket(catalog.organization.state_bucket_prefix, target.account_id, target.region)
    s3 = aws.client("s3", target.region, target.account_id)
    try:
        missing = bucket_missing(s3, bucket)
    except BucketNotAccessible:
        raise BootstrapError(
            f"{target.label()}: state bucket {bucket} exists but this account cannot access it "
            "(is the name taken by another account?)"
        ) from None
    if missing:
        note(f"{target.label()}: create state bucket {bucket}")
        if dry_run:  # nothing to inspect yet: every guardrail will be set
            for what in ALL_GUARDRAILS:
                note(f"{target.label()}: {bucket}: {what}")
            return
        create_bucket(s3, bucket, target.region)
    for what, apply in guardrail_fixes(s3, bucket):
        note(f"{target.label()}: {bucket}: {what}")
        if not dry_run:
            apply()


def retired_accounts(catalog: Catalog, lock_path: Path) -> dict[str, str]:
    """Lock entries to keep although no email-only silo claims them any more.

    The org stack turns them into ``removed`` blocks (forget, never destroy, the
    account); dropping them here could let a later org plan remove the account from the
    organization. An unreadable old lock carries nothing.
    """
    try:
        previous = read_lock(Path(lock_path)).accounts
    except CatalogError:
        return {}
    email_silos = {s.name for s in catalog.silos if s.email}
    return {name: account for name, account in previous.items() if name not in email_silos}


def load_for_bootstrap(path: Path) -> Catalog:
    """The catalog *without* the lock file: bootstrap regenerates the lock from what AWS
    says, so a stale or damaged lock must not stop it (``silolake validate`` checks the
    lock afterwards)."""
    raw, problems = validate_file(path)
    if problems:
        raise CatalogError(problems)
    return build_catalog(raw, Path(path), {}, None)  # type: ignore[arg-type]


def run(
    catalog: Catalog,
    *,
    lock_path: Path,
    dry_run: bool = False,
    session: boto3.Session | None = None,
    echo: Callable[[str], None] = print,
) -> Report:
    """Bootstrap every account of ``catalog``; raise :class:`BootstrapError` on anything to fix."""
    org = catalog.organization
    aws = AccountClients(session or boto3.Session(), org.management_account_id, org.deploy_role_name, dry_run)
    verb = "would " if dry_run else ""
    warnings: list[str] = []
    changes: list[str] = []

    def note(change: str) -> None:  # printed as it happens: a failure later still shows what was done
        changes.append(change)
        echo(f"{verb}{change}")

    try:
        organization = check_management(aws, catalog)
        blockers: list[NotApplied] = []
        try:
            layout = discover_layout(aws, catalog, organization)
            echo(
                f"organization {layout.org_id}, root {layout.root_id}: {org.ous.datalake} {layout.datalake_ou_id}, "
                f"{org.ous.silos} {layout.silos_ou_id}, {org.ous.analytics} {layout.analytics_ou_id}"
            )
        except NotApplied as exc:
            blockers.append(exc)
        resolved, missing = resolve_accounts(aws, catalog, organization["Id"], warnings)
        blockers += [missing] if missing else []
        for name, account_id in sorted(resolved.items()):
            echo(f"silo '{name}': account {account_id}")
        catalog = with_accounts(catalog, resolved)
        for target in state_targets(catalog):
            try:
                ensure_state_bucket(aws, catalog, target, dry_run, note)
            except ClientError as exc:
                who = (
                    "the current credentials"
                    if target.account_id == org.management_account_id
                    else org.deploy_role_arn(target.account_id)
                )
                raise BootstrapError(
                    f"{target.label()}: AWS refused {exc.operation_name} to {who}: "
                    f"{error_code(exc)}: {aws_message(exc)}"
                ) from None
        if blockers:
            raise NotApplied(
                "; ".join(str(b) for b in blockers) + ". State buckets of the accounts known so far "
                f"{'would be' if dry_run else 'are'} in place; the lock file is unchanged"
            )
        warnings += placement_warnings(aws, catalog, layout)
    except ClientError as exc:
        raise AwsRefused(f"AWS refused {exc.operation_name}: {error_code(exc)}: {aws_message(exc)}") from None
    except NoCredentialsError:
        raise BootstrapError(
            "no AWS credentials found: run bootstrap with credentials of the management account "
            f"{org.management_account_id} (AWS_PROFILE, `aws sso login`, or environment)"
        ) from None
    except BotoCoreError as exc:  # no network, bad profile...
        raise AwsRefused(f"AWS error: {exc}") from None
    lock = AccountsLock(
        accounts={**retired_accounts(catalog, lock_path), **resolved},
        layout=layout,
        management_account_id=catalog.organization.management_account_id,
    )
    if dry_run:
        lock_changed = not Path(lock_path).exists() or Path(lock_path).read_text(encoding="utf-8") != lock.to_json()
    else:
        lock_changed = write_lock(Path(lock_path), lock)
    report = Report(
        layout=layout, lock=lock, lock_changed=lock_changed, changes=changes, warnings=warnings, writes=list(aws.writes)
    )
    for warning in warnings:
        echo(f"warning: {warning}")
    if lock_changed:
        echo(f"{verb}write {lock_path}")
    if report.up_to_date:
        echo("up to date")
    return report
