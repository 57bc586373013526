"""The offline IAM policy engine (see :mod:`.engine`)."""

from .engine import IamSimError, decisions, library_version, simulate

__all__ = ["IamSimError", "decisions", "library_version", "simulate"]
