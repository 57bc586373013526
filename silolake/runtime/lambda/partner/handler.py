"""Lambda entry points of the partner functions: one code bundle, four functions.

    handler.admin_handler    admin HTTP API (Cognito JWT authorizer): credentials CRUD
    handler.session_handler  partner HTTP API route POST /session (no authorizer)
    handler.idp_handler      Transfer Family identity provider (AWS_LAMBDA)
    handler.sweeper_handler  scheduled: deletes expired credentials and leftovers

Only wiring lives here: configuration from the environment, boto3 clients and the clock.
The logic is in ``partner_access/`` (see README.md for environment, IAM and HTTP contract).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext
from partner_access import admin, session
from partner_access.config import Config
from partner_access.idp import IdentityProvider
from partner_access.lockout import Lockout
from partner_access.logs import logger
from partner_access.store import CredentialStore
from partner_access.verify import Verifier


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def _wiring() -> tuple[Config, CredentialStore, Verifier]:
    cfg = Config.from_env(os.environ)
    store = CredentialStore(cfg, boto3.client("cloudformation"), boto3.client("secretsmanager"), utcnow)
    lockout = Lockout(
        table=cfg.lockout_table,
        dynamodb=boto3.client("dynamodb"),
        clock=utcnow,
        window=cfg.lockout_window_seconds,
        max_user_failures=cfg.lockout_max_user_failures,
        max_ip_failures=cfg.lockout_max_ip_failures,
    )
    return cfg, store, Verifier(cfg, store, lockout, utcnow)


@lru_cache(maxsize=1)
def _admin_app() -> Any:
    cfg, store, _ = _wiring()
    return admin.make_app(admin.AdminService(cfg, store, utcnow))


@lru_cache(maxsize=1)
def _session_app() -> Any:
    cfg, _, verifier = _wiring()
    return session.make_app(session.SessionService(cfg, verifier, boto3.client("sts")))


# log_event=False explicitly: POWERTOOLS_LOGGER_LOG_EVENT=true would otherwise log whole
# events, and these carry passwords.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def admin_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _admin_app().resolve(event, context)


@logger.inject_lambda_context(log_event=False, clear_state=True)
def session_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _session_app().resolve(event, context)


@logger.inject_lambda_context(log_event=False, clear_state=True)
def idp_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    try:
        cfg, _, verifier = _wiring()
    except Exception:  # noqa: BLE001 - a configuration error must still answer {} to Transfer
        logger.exception("identity provider misconfigured; refusing")
        return {}
    return IdentityProvider(cfg, verifier).authenticate(event)


@logger.inject_lambda_context(log_event=False, clear_state=True)
def sweeper_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    _, store, _ = _wiring()
    done = store.sweep()
    logger.info("sweep finished", extra={"sweep": done})
    return done
