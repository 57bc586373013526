"""Located, user-facing catalog problems.

Every problem a user can cause in ``silos.yaml`` is reported as a :class:`Problem`
carrying the file, line and column of the offending node and a key path such as
``silos[1].flows[0].keys[0]``. Validation collects *all* problems before failing so a
pull request gets one complete review comment instead of a fix-one-rerun loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import UsageError

PathElem = str | int
Path = tuple[PathElem, ...]


def format_path(path: Sequence[PathElem]) -> str:
    """Render ``("silos", 1, "flows", 0, "keys")`` as ``silos[1].flows[0].keys``."""
    out = ""
    for elem in path:
        if isinstance(elem, int):
            out += f"[{elem}]"
        else:
            out += f".{elem}" if out else str(elem)
    return out or "(document)"


@dataclass(frozen=True, order=True)
class Problem:
    """One located catalog mistake. Ordered by position so reports read top to bottom."""

    file: str
    line: int  # 1-based
    col: int  # 1-based
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"


class CatalogError(UsageError):
    """Raised when a catalog is invalid; carries every problem found (exit 2)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> list[str]:
        """One located line per problem (``file:line:col: key.path: message``), then the count."""
        return [*(str(p) for p in self.problems), f"{len(self.problems)} problem(s) found"]
