"""Organization capability: OUs, silo accounts and guardrail SCPs."""

from .guardrails import SiloGuardrails
from .organization import DataLakeOus, SiloAccount, forget_accounts

__all__ = ["DataLakeOus", "SiloAccount", "SiloGuardrails", "forget_accounts"]
