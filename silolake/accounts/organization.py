"""What ``silolake bootstrap`` reads of the organization (Organizations API): the
management account, the OUs the org stack creates, the ids of email-only silos' accounts,
and accounts sitting outside their OU."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..catalog.model import Catalog, OrgLayout
from .clients import ORGANIZATIONS_REGION, AccountClients, BootstrapError, NotApplied
from .state_buckets import error_code


def check_management(aws: AccountClients, catalog: Catalog) -> dict:
    expected = catalog.organization.management_account_id
    caller = aws.client("sts", catalog.organization.home_region).get_caller_identity()["Account"]
    orgs = aws.client("organizations", ORGANIZATIONS_REGION)
    try:
        org = orgs.describe_organization()["Organization"]
    except ClientError as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
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


def discover_layout(aws: AccountClients, catalog: Catalog, org: dict) -> OrgLayout:
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
    aws: AccountClients, catalog: Catalog, org_id: str, report_warnings: list[str]
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


def placement_warnings(aws: AccountClients, catalog: Catalog, layout: OrgLayout) -> list[str]:
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
            if error_code(exc) != "ChildNotFoundException":
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
