"""Identity provider of the silo's Transfer Family server (``IdentityProviderType: AWS_LAMBDA``).

Contract (AWS Transfer Family User Guide, "Using AWS Lambda to integrate your identity
provider"): the event carries ``username``, ``password`` (absent when the client offers
a key), ``protocol``, ``serverId`` and ``sourceIp``. Success returns ``Role``,
``HomeDirectoryType: "LOGICAL"`` and ``HomeDirectoryDetails`` as a JSON *string* of
``[{"Entry": "/", "Target": "/<bucket>/<username>"}]`` (a list of maps is refused at run
time), plus ``Policy``, a session policy as a JSON string of at most 2,048 characters.
Failure is ``{}``, the same for every cause. This function never raises: any error is a
refusal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import policies
from .config import Config
from .logs import logger
from .model import role_arn
from .verify import Verifier

SFTP = frozenset({"sftp"})


@dataclass
class IdentityProvider:
    cfg: Config
    verifier: Verifier

    def success(self, username: str) -> dict[str, str]:
        policy = policies.render(policies.sftp_policy(self.cfg, username))
        if len(policy) > policies.TRANSFER_POLICY_MAX:
            raise ValueError("SFTP session policy exceeds Transfer Family's 2048 characters")
        return {
            "Role": role_arn(self.cfg.partition, self.cfg.account_id, username),
            "HomeDirectoryType": "LOGICAL",
            "HomeDirectoryDetails": json.dumps([{"Entry": "/", "Target": f"/{self.cfg.dropzone_bucket}/{username}"}]),
            "Policy": policy,
        }

    def authenticate(self, event: Any) -> dict[str, str]:
        try:
            return self._authenticate(event)
        except Exception:  # noqa: BLE001 - Transfer must get {} whatever went wrong
            logger.exception("identity provider error; refusing")
            return {}

    def _authenticate(self, event: Any) -> dict[str, str]:
        if not isinstance(event, dict):
            return {}
        password = event.get("password")
        if not isinstance(password, str) or not password:
            # Key authentication (no password) is not offered: partners have passwords only.
            logger.info("identity provider: no password in the event; refusing")
            return {}
        if (
            "sftp" not in self.cfg.channels
            or event.get("protocol") != "SFTP"
            or not self.cfg.transfer_server_id
            or event.get("serverId") != self.cfg.transfer_server_id
        ):
            logger.info("identity provider: not this silo's SFTP server or protocol; refusing")
            return {}
        outcome = self.verifier.verify(event.get("username"), password, event.get("sourceIp"), SFTP)
        if not outcome.ok or outcome.credential is None:
            return {}
        return self.success(outcome.credential.username)
