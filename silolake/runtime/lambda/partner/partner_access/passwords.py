"""Generated partner passwords and their slow, salted hashes (``hashlib.scrypt``).

Why scrypt from the standard library: the Lambda bundle is the source folder alone
(Powertools comes from the AWS-managed layer), so a hash with a compiled dependency such
as argon2-cffi would need native wheels vendored per architecture. ``hashlib.scrypt``
(OpenSSL) is in every Lambda Python runtime and is one of OWASP's recommended password
hashes.

Parameters (OWASP Password Storage Cheat Sheet, scrypt): ``N = 2**15, r = 8, p = 3`` is
one of its listed equivalent minimums (the same work as ``N = 2**17, r = 8, p = 1``) with
a 32 MiB memory peak (128 * r * N bytes), 16-byte random salt and 32-byte key.
About 0.8 s on one full vCPU. Passwords are generated here, never chosen by people:
``secrets.token_urlsafe(24)``, 192 random bits, so the work factor is defence in depth
for a leaked secret, and online guessing is bounded by the lockout.

Stored form (parameters travel with the hash, so they can be raised later without
invalidating existing credentials)::

    scrypt$<log2 N>$<r>$<p>$<salt, urlsafe base64>$<key, urlsafe base64>
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class ScryptParams:
    log2_n: int = 15
    r: int = 8
    p: int = 3
    salt_bytes: int = 16
    key_bytes: int = 32

    @property
    def maxmem(self) -> int:
        # OpenSSL needs a little more than 128 * r * N; twice that leaves room.
        return 2 * 128 * self.r * (2**self.log2_n) + 1024 * 1024


#: Parameters for new hashes. Tests lower them (module attribute) to stay fast.
PARAMS = ScryptParams()
PASSWORD_BYTES = 24  # token_urlsafe -> 32 characters
#: Refuse absurd inputs before hashing (cheap denial-of-service guard).
MAX_PASSWORD_CHARS = 256
_MAX_LOG2_N = 20
_PREFIX = "scrypt"


def generate() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        # surrogatepass: a lone surrogate hashes (and fails) like any other wrong password
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=2**params.log2_n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=params.key_bytes,
    )


def hash_password(password: str, params: ScryptParams | None = None) -> str:
    params = params or PARAMS
    salt = secrets.token_bytes(params.salt_bytes)
    key = _derive(password, salt, params)
    return "$".join((_PREFIX, str(params.log2_n), str(params.r), str(params.p), _b64(salt), _b64(key)))


def _parse(stored: str) -> tuple[ScryptParams, bytes, bytes]:
    prefix, log2_n, r, p, salt, key = stored.split("$")
    if prefix != _PREFIX:
        raise ValueError("not an scrypt hash")
    params = ScryptParams(log2_n=int(log2_n), r=int(r), p=int(p))
    if not (1 <= params.log2_n <= _MAX_LOG2_N and 1 <= params.r <= 32 and 1 <= params.p <= 16):
        raise ValueError("scrypt parameters out of range")
    key_bytes = _unb64(key)
    return ScryptParams(params.log2_n, params.r, params.p, key_bytes=len(key_bytes)), _unb64(salt), key_bytes


def _dummy() -> str:
    """A stored hash of the parameters of new hashes that no password derives to (a zero key):
    what an unknown username, or an unreadable stored hash, is checked against."""
    salt, key = b"\0" * PARAMS.salt_bytes, b"\0" * PARAMS.key_bytes
    return "$".join((_PREFIX, str(PARAMS.log2_n), str(PARAMS.r), str(PARAMS.p), _b64(salt), _b64(key)))


def check(password: object, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``, with the same work whatever the inputs: exactly
    one scrypt derivation, with the stored hash's parameters, or with those of a dummy hash of
    :data:`PARAMS` (the work factor of every stored hash) when there is none (``None``: an
    unknown username) or it is malformed. A password longer than :data:`MAX_PASSWORD_CHARS` is
    hashed capped to that length and refused *after* the work; a non-string or empty one
    hashes a placeholder. Comparison in constant time."""
    acceptable = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD_CHARS
    text = password[:MAX_PASSWORD_CHARS] if isinstance(password, str) and password else "-"
    try:
        if stored is None:
            raise ValueError("no stored hash")
        params, salt, expected = _parse(stored)
    except (ValueError, TypeError, AttributeError):
        params, salt, expected = _parse(_dummy())
        acceptable = False
    actual = _derive(text, salt, params)
    return hmac.compare_digest(actual, expected) and acceptable


def verify(password: object, stored: str) -> bool:
    """:func:`check` against a stored hash; False for anything malformed."""
    return check(password, stored)


def burn(password: object) -> None:
    """:func:`check` with no stored hash: the work of a verification when there is nothing to
    verify against, so response time does not reveal which usernames exist."""
    check(password, None)
