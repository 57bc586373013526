"""Issue 20, item 6: the SFTP identity provider does the same work whether the user exists or not.

Timing-independent: the scrypt function is replaced by a recorder (then the real one), and
every sign-in's trace (credential read, each derivation's work factor and input size,
lockout bookkeeping) is compared. Before the fix, an existing user with a 257-character
password was refused *without* hashing (~14 ms) while an unknown one was hashed (~566 ms).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from partner_access import passwords

from .conftest import World

TOO_LONG = "p" * (passwords.MAX_PASSWORD_CHARS + 1)


@pytest.fixture
def trace(world: World, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    real_scrypt = hashlib.scrypt

    def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, maxmem: int, dklen: int) -> bytes:
        calls.append(("scrypt", n, r, p, maxmem, dklen, len(salt), len(password) <= 4 * passwords.MAX_PASSWORD_CHARS))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(passwords.hashlib, "scrypt", scrypt)
    verifier = world.verifier
    read, failure = verifier.store.read, verifier.lockout.failure
    monkeypatch.setattr(verifier.store, "read", lambda *a: calls.append(("read",)) or read(*a))
    monkeypatch.setattr(verifier.lockout, "failure", lambda *a: calls.append(("failure",)) or failure(*a))
    return calls


def signin(world: World, trace: list[tuple[Any, ...]], username: str, password: str) -> list[tuple[Any, ...]]:
    trace.clear()
    assert world.sftp(username, password) == {}
    return list(trace)


def test_existing_and_unknown_users_do_the_same_work(world: World, trace: list[tuple[Any, ...]]) -> None:
    good = world.create("olga", channels=("sftp",))
    assert len(good) < passwords.MAX_PASSWORD_CHARS

    traces = {
        "existing, over-long password": signin(world, trace, "olga", TOO_LONG),
        "unknown, over-long password": signin(world, trace, "nobody", TOO_LONG),
        "existing, wrong password": signin(world, trace, "olga", good + "x"),
        "unknown, a password": signin(world, trace, "nobody", good),
        "existing, right password padded over-long": signin(world, trace, "olga", good + "x" * 300),
    }
    [one] = {tuple(t) for t in traces.values()}  # one and the same trace for every case
    scrypts = [c for c in one if c[0] == "scrypt"]
    params = passwords.PARAMS
    assert scrypts == [("scrypt", 2**params.log2_n, params.r, params.p, params.maxmem, params.key_bytes, 16, True)]
    assert [c[0] for c in one] == ["read", "scrypt", "failure"]


def test_over_long_passwords_are_refused_after_the_work() -> None:
    stored = passwords.hash_password("q" * passwords.MAX_PASSWORD_CHARS)
    assert passwords.check("q" * passwords.MAX_PASSWORD_CHARS, stored)
    assert not passwords.check("q" * (passwords.MAX_PASSWORD_CHARS + 1), stored)  # same first 256, still refused
    assert not passwords.check("q" * passwords.MAX_PASSWORD_CHARS, None)
    assert not passwords.check("\ud800", stored)  # a lone surrogate is just a wrong password


def test_every_check_derives_exactly_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the password and stored hash (none, malformed, real): one derivation, at the
    work factor of new hashes."""
    calls: list[int] = []
    real = passwords._derive
    monkeypatch.setattr(
        passwords, "_derive", lambda pw, salt, params: calls.append(params.log2_n) or real(pw, salt, params)
    )
    stored = passwords.hash_password("right")
    calls.clear()
    for password in ("right", "wrong", "", None, 7, TOO_LONG):
        for hashed in (stored, None, "garbage", "scrypt$99$8$1$AA$AA"):
            passwords.check(password, hashed)
    assert calls == [passwords.PARAMS.log2_n] * 24
