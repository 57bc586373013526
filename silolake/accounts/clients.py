"""AWS clients of ``silolake bootstrap`` and its errors.

:class:`AccountClients` hands out boto3 clients per account (assuming the catalog's deploy
role in every account but the management account) and enforces dry runs: every client
refuses a mutating call in dry-run mode, so a planning bug cannot turn into a change.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from ..aws import arns
from ..errors import AwsError, UsageError
from .state_buckets import error_code

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


class AccountClients:
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
                    f"cannot assume {role_arn} in account {account_id} ({error_code(exc)}: {aws_message(exc)}). "
                    "The role must "
                    "exist and trust the management account: the organization creates it in accounts it creates; "
                    "for an invited account, create it there first."
                ) from None
            self._sessions[account_id] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return self._sessions[account_id]


def aws_message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message", str(exc))
