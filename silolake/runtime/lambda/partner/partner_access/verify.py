"""The one verification both partner entry points run (SFTP and ``POST /session``).

Order and its reasons:

1. a decommissioned silo refuses everything;
2. the source IP must parse and lie in the silo's ``ALLOWED_CIDRS`` (when set);
3. a locked username or source IP is refused without hashing (cheap under attack);
4. the credential is read; expiry, channel and the credential's own CIDRs decide
   eligibility, but the password is hashed in every case, by one ``passwords.check`` (a
   dummy hash of the same work factor when there is no credential) so timing tells
   nothing about which usernames exist or why a sign-in failed, and a password cannot be
   tested from outside the allowed networks;
5. every refusal after step 3 counts as a failure for the username and the source IP;
   a success clears the username's counter.

The caller only learns yes or no. The reason goes to the log (never the password, its
hash, or a username that does not look like one: a password typed into the username
field must not end up in the logs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import passwords
from .config import Config, ip_allowed
from .lockout import Lockout
from .logs import logger as log
from .model import Credential, valid_username
from .store import CredentialStore


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str
    credential: Credential | None = None


class Verifier:
    def __init__(self, cfg: Config, store: CredentialStore, lockout: Lockout, clock: Callable[[], datetime]):
        self.cfg = cfg
        self.store = store
        self.lockout = lockout
        self.clock = clock

    def verify(self, username: object, password: object, source_ip: object, channels: frozenset[str]) -> Outcome:
        """Check a sign-in for any of ``channels``. AWS errors propagate (callers fail closed)."""
        outcome = self._verify(username, password, source_ip, channels)
        log.info(
            "partner sign-in",
            extra={
                "partner_auth": {
                    "username": username if valid_username(username) else "(invalid)",
                    "source_ip": source_ip if isinstance(source_ip, str) else "(invalid)",
                    "channels": sorted(channels),
                    "result": "allowed" if outcome.ok else "refused",
                    "reason": outcome.reason,
                }
            },
        )
        return outcome

    def _verify(self, username: object, password: object, source_ip: object, channels: frozenset[str]) -> Outcome:
        if self.cfg.decommissioned:
            return Outcome(False, "silo decommissioned")
        if not isinstance(source_ip, str) or not ip_allowed(source_ip, self.cfg.allowed_cidrs):
            return Outcome(False, "source IP outside the silo's allowed CIDRs")
        if self.lockout.locked(username, source_ip):
            return Outcome(False, "locked out")
        credential = self.store.read(str(username)) if valid_username(username) else None
        # One check on every path, known user or not: the same scrypt work (a dummy hash of the
        # same work factor when there is no credential; an over-long password is capped, hashed,
        # then refused), so the time taken tells nothing (issue 20).
        password_ok = passwords.check(password, credential.password_hash if credential else None)
        if credential is None:
            reason = "unknown username"
        elif credential.expired(self.clock()):
            reason = "credential expired"
        elif not channels & set(credential.channels):
            reason = "channel not granted"
        elif not ip_allowed(source_ip, credential.networks()):
            reason = "source IP outside the credential's CIDRs"
        elif not password_ok:
            reason = "wrong password"
        else:
            self.lockout.success(credential.username)
            return Outcome(True, "ok", credential)
        self.lockout.failure(username, source_ip)
        return Outcome(False, reason)
