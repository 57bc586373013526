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
The bucket guardrails (and why SSE-S3) are in :mod:`silolake.accounts.state_buckets`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..aws import arns, names
from ..catalog import CatalogError, validate_file
from ..catalog.lock import AccountsLock, read_lock, write_lock
from ..catalog.model import Catalog, OrgLayout, build_catalog, with_account
from ..catalog.topology import stack_targets
from ..errors import AwsError, UsageError
from .state_buckets import (
    ALL_GUARDRAILS,
    BucketNotAccessible,
    bucket_missing,
    create_bucket,
    error_code,
    guardrail_fixes,
)

ORGANIZATIONS_REGION = "us-east-1"  # Organizations has a single (global) endpoint
SESSION_NAME = "silolake-bootstrap"
_READ_ONLY = ("Get", "List", "Head", "Describe")
_READ_ONLY_CALLS = {"AssumeRole"}  # returns credentials, changes nothing


class BootstrapError(UsageError):
    """Something the operator must fix (credentials, an unapplied org stack, a role)."""


class AwsRefused(AwsError, BootstrapError):
    """AWS refused a call or could not be reached (``silolake bootstrap`` exits 1)."""


class NotApplied(BootstrapError):
    """What the org stack creates is not there yet. Raised only after the state buckets
    of every account already known exist: the org stack itself needs the management
    account's bucket before its first apply, so the very first bootstrap must get that
    far even though no OU exists yet."""


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


class _Aws:
    """Clients per account; records mutating calls and refuses them in dry-run mode."""

    def __init__(self, session: boto3.Session, management_account_id: str, role_name: str, dry_run: bool):
        self.session = session
        self.management_account_id = management_account_id
        self.role_name = role_name
        self.dry_run = dry_run
        self.writes: list[str] = []
        self._sessions: dict[str, boto3.Session] = {management_account_id: session}

    def _before_call(self, model, **_kwargs) -> None:
        if model.name.startswith(_READ_ONLY) or model.name in _READ_ONLY_CALLS:
            return
        if self.dry_run:
            raise AssertionError(f"bug: dry run attempted the mutating call {model.name}")
        self.writes.append(model.name)

    def client(self, service: str, region: str, account_id: str | None = None):
        session = self._session_for(account_id or self.management_account_id, region)
        client = session.client(service, region_name=region)
        client.meta.events.register("before-call", self._before_call)
        return client

    def _session_for(self, account_id: str, region: str) -> boto3.Session:
        if account_id not in self._sessions:
            role_arn = arns.role(arns.partition_of(region), account_id, self.role_name)
            try:
                creds = self.client("sts", region).assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)[
                    "Credentials"
                ]
            except ClientError as exc:
                raise BootstrapError(
                    f"cannot assume {role_arn} in account {account_id} ({_code(exc)}: {_message(exc)}). The role must "
                    "exist and trust the management account: the organization creates it in accounts it creates; "
                    "for an invited account, create it there first."
                ) from None
            self._sessions[account_id] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return self._sessions[account_id]


_code = error_code  # short local name


def _message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message", str(exc))


# -- organization -----------------------------------------------------------------------


def _check_management(aws: _Aws, catalog: Catalog) -> dict:
    expected = catalog.organization.management_account_id
    caller = aws.client("sts", catalog.organization.home_region).get_caller_identity()["Account"]
    orgs = aws.client("organizations", ORGANIZATIONS_REGION)
    try:
        org = orgs.describe_organization()["Organization"]
    except ClientError as exc:
        if _code(exc) == "AWSOrganizationsNotInUseException":
            raise BootstrapError(
                f"account {caller} is not in an AWS organization; create the organization in the "
                f"management account {expected} first"
            ) from None
        raise
    if caller != expected:
        raise BootstrapError(
            f"bootstrap needs management-account credentials: the current credentials are for "
            f"account {caller}, but organization.management_account_id is {expected}"
        )
    if org["MasterAccountId"] != expected:
        raise BootstrapError(
            f"organization {org['Id']} is managed by account {org['MasterAccountId']}, not by "
            f"organization.management_account_id {expected}"
        )
    return org


def _child_ou(orgs, parent_id: str, name: str, where: str) -> str:
    for page in orgs.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id):
        for ou in page["OrganizationalUnits"]:
            if ou["Name"] == name:
                return ou["Id"]
    raise NotApplied(
        f"organizational unit '{name}' not found under {where} ({parent_id}); "
        "apply the org stack first (`cdktf deploy org`), then re-run bootstrap"
    )


def discover_layout(aws: _Aws, catalog: Catalog, org: dict) -> OrgLayout:
    orgs = aws.client("organizations", ORGANIZATIONS_REGION)
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    ous = catalog.organization.ous
    datalake = _child_ou(orgs, root_id, ous.datalake, "the organization root")
    return OrgLayout(
        org_id=org["Id"],
        root_id=root_id,
        datalake_ou_id=datalake,
        silos_ou_id=_child_ou(orgs, datalake, ous.silos, f"OU '{ous.datalake}'"),
        analytics_ou_id=_child_ou(orgs, datalake, ous.analytics, f"OU '{ous.datalake}'"),
    )


def resolve_accounts(
    aws: _Aws, catalog: Catalog, org_id: str, report_warnings: list[str]
) -> tuple[dict[str, str], NotApplied | None]:
    """Account id of every email-only silo, looked up by e-mail (case-insensitive, as AWS
    does), and the error for those not found."""
    orgs = aws.client("organizations", ORGANIZATIONS_REGION)
    by_email = {}
    for page in orgs.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            by_email[account["Email"].lower()] = account
    resolved, missing = {}, []
    for silo in catalog.silos:
        if not silo.email:
            continue
        account = by_email.get(silo.email.lower())
        if account is None:
            missing.append(f"silo '{silo.name}' ({silo.email})")
            continue
        if account.get("Status", "ACTIVE") != "ACTIVE":
            report_warnings.append(f"silo '{silo.name}': account {account['Id']} is {account['Status']}")
        resolved[silo.name] = account["Id"]
    if not missing:
        return resolved, None
    return resolved, NotApplied(
        f"no account in organization {org_id} for {', '.join(missing)}; apply the org stack "
        "first (it creates the accounts), wait for creation to finish, then re-run bootstrap"
    )


def placement_warnings(aws: _Aws, catalog: Catalog, layout: OrgLayout) -> list[str]:
    """Accounts outside their OU get no OU-scoped access nor guardrails: say how to move them.

    ``catalog`` has the resolved ids (:func:`with_accounts`).
    """
    orgs = aws.client("organizations", ORGANIZATIONS_REGION)
    expected = [(c.account_id, layout.analytics_ou_id, f"analytics consumer '{c.name}'") for c in catalog.analytics]
    expected += [(s.account_id, layout.silos_ou_id, f"silo '{s.name}'") for s in catalog.deployable_silos]
    warnings = []
    for account_id, ou_id, who in expected:
        try:
            parent = orgs.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        except ClientError as exc:
            if _code(exc) != "ChildNotFoundException":
                raise
            warnings.append(
                f"{who}: account {account_id} is not in organization {layout.org_id}; invite it, "
                f"then move it into {ou_id}"
            )
            continue
        if parent != ou_id:
            warnings.append(
                f"{who}: account {account_id} is in {parent}, not in {ou_id}, so OU-scoped sharing "
                f"and guardrails miss it: aws organizations move-account --account-id {account_id} "
                f"--source-parent-id {parent} --destination-parent-id {ou_id}"
            )
    return warnings


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
    aws: _Aws, catalog: Catalog, target: Target, dry_run: bool, note: Callable[[str], None]
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
    aws = _Aws(session or boto3.Session(), org.management_account_id, org.deploy_role_name, dry_run)
    verb = "would " if dry_run else ""
    warnings: list[str] = []
    changes: list[str] = []

    def note(change: str) -> None:  # printed as it happens: a failure later still shows what was done
        changes.append(change)
        echo(f"{verb}{change}")

    try:
        organization = _check_management(aws, catalog)
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
                    f"{target.label()}: AWS refused {exc.operation_name} to {who}: {_code(exc)}: {_message(exc)}"
                ) from None
        if blockers:
            raise NotApplied(
                "; ".join(str(b) for b in blockers) + ". State buckets of the accounts known so far "
                f"{'would be' if dry_run else 'are'} in place; the lock file is unchanged"
            )
        warnings += placement_warnings(aws, catalog, layout)
    except ClientError as exc:
        raise AwsRefused(f"AWS refused {exc.operation_name}: {_code(exc)}: {_message(exc)}") from None
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
