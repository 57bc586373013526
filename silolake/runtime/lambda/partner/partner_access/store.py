"""Credentials as AWS resources: one CloudFormation stack plus one secret each.

There is no credential table. ``create`` = CreateStack (the name is the lock: a second
create of the same username fails with ``AlreadyExistsException``) followed by the secret;
``listing`` = the stacks with the silo's prefix, read from their tags (never a secret);
``rotate`` = a new secret value; ``delete`` = the secret first (authentication stops at
once), then DeleteStack. The sweeper removes expired credentials and the leftovers of an
interrupted create or delete (a stack without a secret, a secret without a stack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from . import template
from .config import Config
from .logs import logger as log
from .model import SECRET_PREFIX, TAG_STACK_ID, TAG_USERNAME, Credential, secret_name

#: A stack this old without a secret is the leftover of an interrupted create.
ORPHAN_GRACE = timedelta(minutes=15)
_GONE_STATUSES = {"DELETE_COMPLETE"}
_FAILED_STATUSES = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"}


class CredentialExists(Exception):
    pass


class CredentialNotFound(Exception):
    pass


@dataclass(frozen=True)
class StackInfo:
    name: str
    stack_id: str
    status: str
    created: datetime
    tags: dict[str, str]


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class CredentialStore:
    def __init__(self, cfg: Config, cloudformation: Any, secretsmanager: Any, clock: Callable[[], datetime]):
        self.cfg = cfg
        self.cfn = cloudformation
        self.secrets = secretsmanager
        self.clock = clock

    # ---- stacks ------------------------------------------------------------------------
    def _stack(self, username: str) -> StackInfo | None:
        try:
            stacks = self.cfn.describe_stacks(StackName=self.cfg.stack_name(username))["Stacks"]
        except ClientError as error:
            if _code(error) == "ValidationError" and "does not exist" in str(error):
                return None
            raise
        infos = [self._info(s) for s in stacks if s["StackStatus"] not in _GONE_STATUSES]
        return infos[0] if infos else None

    @staticmethod
    def _info(stack: dict[str, Any]) -> StackInfo:
        return StackInfo(
            name=stack["StackName"],
            stack_id=stack["StackId"],
            status=stack["StackStatus"],
            created=stack["CreationTime"],
            tags={t["Key"]: t["Value"] for t in stack.get("Tags", [])},
        )

    def stacks(self) -> Iterator[StackInfo]:
        """Every live credential stack of this silo (DescribeStacks, filtered by name prefix)."""
        for page in self.cfn.get_paginator("describe_stacks").paginate():
            for stack in page["Stacks"]:
                if stack["StackName"].startswith(self.cfg.stack_prefix) and stack["StackStatus"] not in _GONE_STATUSES:
                    yield self._info(stack)

    def _delete_stack(self, name: str) -> None:
        self.cfn.delete_stack(StackName=name, RoleARN=self.cfg.cfn_role_arn)

    # ---- secrets -----------------------------------------------------------------------
    def read(self, username: str) -> Credential | None:
        """The credential with its hash, or None if there is none (or it is unreadable)."""
        try:
            value = self.secrets.get_secret_value(SecretId=secret_name(username))["SecretString"]
        except ClientError as error:
            if _code(error) in {"ResourceNotFoundException", "InvalidRequestException"}:
                return None  # InvalidRequest: scheduled for deletion
            raise
        try:
            credential = Credential.from_secret(value)
        except (ValueError, KeyError, TypeError):
            log.error("credential secret is malformed", extra={"username": username})
            return None
        return credential if credential.username == username else None

    def _write_secret(self, credential: Credential, stack_id: str) -> None:
        tags = [{"Key": TAG_STACK_ID, "Value": stack_id}, {"Key": TAG_USERNAME, "Value": credential.username}]
        name = secret_name(credential.username)
        try:
            self.secrets.create_secret(
                Name=name,
                KmsKeyId=self.cfg.kms_key_arn,
                SecretString=credential.secret_json(),
                Description=f"silolake partner credential {credential.username} (password hash)",
                Tags=tags,
            )
        except ClientError as error:
            if _code(error) != "ResourceExistsException":
                raise
            # A leftover of an interrupted delete: the new stack owns the name now.
            self.secrets.put_secret_value(SecretId=name, SecretString=credential.secret_json())
            self.secrets.tag_resource(SecretId=name, Tags=tags)

    def _secret_exists(self, username: str) -> bool:
        try:
            self.secrets.describe_secret(SecretId=secret_name(username))
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return False
            raise
        return True

    def _delete_secret(self, username: str) -> None:
        """Idempotent (DeleteSecret with ForceDeleteWithoutRecovery succeeds for a missing secret)."""
        try:
            # No recovery window: a revoked credential must stop working now, and the
            # secret holds only a hash that nobody needs back.
            self.secrets.delete_secret(SecretId=secret_name(username), ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise

    # ---- operations --------------------------------------------------------------------
    def create(self, credential: Credential) -> str:
        """CreateStack and the secret; returns the stack id. ``CredentialExists`` if taken."""
        name = self.cfg.stack_name(credential.username)
        try:
            stack_id = self.cfn.create_stack(
                StackName=name,
                TemplateBody=template.render_json(self.cfg, credential),
                RoleARN=self.cfg.cfn_role_arn,
                Capabilities=["CAPABILITY_NAMED_IAM"],
                OnFailure="DELETE",
                Tags=[{"Key": k, "Value": v} for k, v in sorted(credential.tags().items())],
            )["StackId"]
        except ClientError as error:
            if _code(error) == "AlreadyExistsException":
                raise CredentialExists(credential.username) from None
            raise
        try:
            self._write_secret(credential, stack_id)
        except Exception:
            self._delete_stack(name)  # no half-created credential: without a secret it could never log in
            raise
        return stack_id

    def listing(self) -> list[dict[str, Any]]:
        """Public metadata of every credential, from stack tags only."""
        items = []
        for info in self.stacks():
            try:
                public = Credential.from_tags(info.tags).public()
            except (KeyError, ValueError):
                public = {"username": info.name[len(self.cfg.stack_prefix) :]}
            items.append({**public, "status": info.status, "expired": self._expired(info)})
        return sorted(items, key=lambda item: item["username"])

    def _expired(self, info: StackInfo) -> bool:
        try:
            return Credential.from_tags(info.tags).expired(self.clock())
        except (KeyError, ValueError):
            return True  # unreadable metadata: treated as expired so the sweeper removes it

    def rotate(self, username: str, password_hash: str) -> Credential:
        """Replace the password hash; ``CredentialNotFound`` if there is no live credential."""
        info, current = self._stack(username), self.read(username)
        if info is None or current is None:
            raise CredentialNotFound(username)
        rotated = Credential(**{**current.__dict__, "password_hash": password_hash})
        self.secrets.put_secret_value(SecretId=secret_name(username), SecretString=rotated.secret_json())
        return rotated

    def delete(self, username: str) -> None:
        """Secret first, then the stack; ``CredentialNotFound`` if neither exists."""
        info = self._stack(username)
        if info is None and not self._secret_exists(username):
            raise CredentialNotFound(username)
        self._delete_secret(username)
        if info is not None:
            self._delete_stack(info.name)

    def sweep(self) -> dict[str, list[str]]:
        """Delete expired credentials and leftovers; returns the usernames acted on, by reason."""
        now = self.clock()
        done: dict[str, list[str]] = {"expired": [], "failed": [], "orphan": []}
        seen: set[str] = set()
        for info in self.stacks():
            username = info.name[len(self.cfg.stack_prefix) :]
            seen.add(username)
            if info.status in _FAILED_STATUSES:
                reason = "failed"
            elif self._expired(info):
                reason = "expired"
            elif now - info.created > ORPHAN_GRACE and self.read(username) is None:
                reason = "orphan"
            else:
                continue
            self._delete_secret(username)
            self._delete_stack(info.name)
            done[reason].append(username)
        for page in self.secrets.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "name", "Values": [SECRET_PREFIX]}]
        ):
            for secret in page["SecretList"]:
                username = secret["Name"][len(SECRET_PREFIX) :]
                if secret["Name"].startswith(SECRET_PREFIX) and username not in seen and self._stack(username) is None:
                    self._delete_secret(username)
                    done["orphan"].append(username)
        return done
