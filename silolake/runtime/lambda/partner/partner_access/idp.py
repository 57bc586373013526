"""Identity provider of the silo's Transfer Family server (``IdentityProviderType: AWS_LAMBDA``).

Contract (AWS Transfer Family User Guide, "Using AWS Lambda to integrate your identity
provider"): the event carries ``username``, ``password`` (absent when the client offers
a key), ``protocol``, ``serverId`` and ``sourceIp``. Success returns ``Role``,
``HomeDirectoryType: "LOGICAL"`` and ``HomeDirectoryDetails`` as a JSON *string* of
``[{"Entry": "/<flow>", "Target": "/<bucket>/<username>/<flow>"}, ...,
{"Entry": "/status", "Target": "/<bucket>/_status/<username>"}]`` (one folder per flow the
credential may send over SFTP, :mod:`layout`; a list of maps is refused at run time), plus
``Policy``, a session policy as a JSON string of at most 2,048 characters.
Failure is ``{}``, the same for every cause. This function never raises: any error is a
refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import layout, policies
from .config import Config
from .logs import logger
from .model import Credential, role_arn
from .verify import Verifier

SFTP = frozenset({"sftp"})


@dataclass
class IdentityProvider:
    cfg: Config
    verifier: Verifier

    def success(self, credential: Credential) -> dict[str, str]:
        flows = policies.allowed_flows(self.cfg, credential, SFTP)
        if not flows:
            raise ValueError("the credential may send no flow over SFTP")
        policy = policies.render(policies.sftp_policy(self.cfg, credential))
        if len(policy) > policies.TRANSFER_POLICY_MAX:
            raise ValueError("SFTP session policy exceeds Transfer Family's 2048 characters")
        return {
            "Role": role_arn(self.cfg.partition, self.cfg.account_id, credential.username),
            "HomeDirectoryType": "LOGICAL",
            "HomeDirectoryDetails": layout.home_directory_json(self.cfg.dropzone_bucket, credential.username, flows),
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
        if not policies.allowed_flows(self.cfg, outcome.credential, SFTP):
            # Its sftp flows were all removed from the catalog since: nothing it could write.
            logger.info("identity provider: the credential may send no flow over SFTP; refusing")
            return {}
        return self.success(outcome.credential)
