"""The offline IAM engine now lives in :mod:`silolake.ops.iam` (``access-diff`` uses it);
tests keep importing it from here."""

from silolake.ops.iam.engine import DECISIONS, IamSimError, decisions, ensure_installed, library_version, simulate

__all__ = ["DECISIONS", "IamSimError", "decisions", "ensure_installed", "library_version", "simulate"]
