"""Configuration from the environment, the production hash parameters and the entry points."""

from __future__ import annotations

import ast
import sys
from typing import Any

import pytest
from partner_access import passwords
from partner_access.config import Config, ConfigError

from .conftest import PARTNER_IP, SERVER_ID, SOURCE, Context, env_for, load_handler


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DROPZONE_BUCKET": ""}, "environment variable DROPZONE_BUCKET is required"),
        ({"MAX_DAYS": "400"}, "MAX_DAYS must be between 1 and 365, got 400"),
        ({"MAX_DAYS": "ten"}, "MAX_DAYS must be an integer"),
        ({"SESSION_DURATION_SECONDS": "7200"}, "SESSION_DURATION_SECONDS must be between 900 and 3600"),
        ({"CHANNELS": "sftp,email"}, "CHANNELS must list some of sftp, upload, api"),
        ({"TRANSFER_SERVER_ARN": ""}, "CHANNELS offers sftp but TRANSFER_SERVER_ARN is not set"),
        ({"FLOW_API_ARNS": ""}, "CHANNELS offers api but FLOW_API_ARNS is not set"),
        ({"FLOW_API_ARNS": "arn:aws:s3:::bucket"}, "is not an execute-api ARN"),
        ({"ALLOWED_CIDRS": "10.0.0.0/33"}, "ALLOWED_CIDRS: '10.0.0.0/33' is not a CIDR"),
        ({"SESSION_ROLE_ARN": "session"}, "SESSION_ROLE_ARN must be an IAM role ARN"),
        ({"DECOMMISSIONED": "yes"}, "DECOMMISSIONED must be true or false"),
        ({"SILO": "Sales"}, "SILO must be a lowercase slug"),
    ],
)
def test_configuration_errors_name_the_variable(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        Config.from_env(env_for(**overrides))


def test_configuration_derivations() -> None:
    cfg = Config.from_env(env_for("444444444444", ALLOWED_CIDRS=" 10.0.0.0/8 , 2001:db8::/32 "))
    assert cfg.account_id == "444444444444" and cfg.partition == "aws"
    assert cfg.stack_name("bob") == "acme-sales-partner-bob"
    assert cfg.transfer_server_id == SERVER_ID
    assert [str(n) for n in cfg.allowed_cidrs] == ["10.0.0.0/8", "2001:db8::/32"]
    assert (cfg.max_days, cfg.lockout_window_seconds, cfg.lockout_max_user_failures) == (30, 900, 5)
    assert cfg.decommissioned is False and Config.from_env(env_for(DECOMMISSIONED="TRUE")).decommissioned


@pytest.mark.slow
def test_production_hash_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "PARAMS", passwords.ScryptParams())  # undo the test speed-up
    password = passwords.generate()
    assert len(password) == 32
    stored = passwords.hash_password(password)
    prefix, log2_n, r, p, salt, key = stored.split("$")
    assert (prefix, log2_n, r, p) == ("scrypt", "15", "8", "3")  # OWASP: N=2^15, r=8, p=3
    assert len(salt) == 22 and len(key) == 43  # 16-byte salt, 32-byte key (base64url, unpadded)
    assert passwords.verify(password, stored)


def test_hashes_are_salted() -> None:
    first, second = passwords.hash_password("same"), passwords.hash_password("same")
    assert first.split("$")[4] != second.split("$")[4] and first != second


def test_hashes_made_with_other_parameters_still_verify() -> None:
    old = passwords.hash_password("s3cret", passwords.ScryptParams(log2_n=11, r=8, p=1))
    assert passwords.verify("s3cret", old) and not passwords.verify("S3cret", old)
    for broken in ("", "bcrypt$x", "scrypt$99$8$1$AA$AA", "scrypt$10$8$1$!!$AA", old + "$x"):
        assert passwords.verify("s3cret", broken) is False
    for bad_input in (None, 42, "", "x" * (passwords.MAX_PASSWORD_CHARS + 1)):
        assert passwords.verify(bad_input, old) is False


def test_identity_provider_entry_point_answers_empty_when_misconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env_for(LOCKOUT_TABLE="").items():
        monkeypatch.setenv(name, value)
    handler = load_handler()
    event: dict[str, Any] = {
        "username": "bob",
        "password": "x",
        "protocol": "SFTP",
        "serverId": SERVER_ID,
        "sourceIp": PARTNER_IP,
    }
    assert handler.idp_handler(event, Context()) == {}


def test_bundle_is_self_contained() -> None:
    """The code imports only the standard library, boto3/botocore (Lambda runtime) and
    Powertools (managed layer): never silolake, cdktf or anything that is not deployed."""
    allowed_roots = {"aws_lambda_powertools", "boto3", "botocore", "partner_access"}
    sources = sorted(SOURCE.rglob("*.py"))
    assert SOURCE / "handler.py" in sources and SOURCE / "partner_access" / "__init__.py" in sources
    for path in sources:
        name = path.relative_to(SOURCE)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            outside = {root for root in roots if root not in allowed_roots and root not in sys.stdlib_module_names}
            assert not outside, f"{name} imports {outside}"
