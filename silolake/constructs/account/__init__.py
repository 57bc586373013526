"""Account capability: the account-wide settings every silo account gets (its baseline)."""

from .baseline import AccountBaseline

__all__ = ["AccountBaseline"]
