"""What a naming rule is: :class:`NameRule`, what AWS accepts as one kind of name, and the
helpers the rule modules define one with (:func:`cited`, :func:`pattern`, :func:`plain`).

The rules themselves are in :mod:`silolake.aws.name_rules` (the lake's data and compute) and
:mod:`silolake.aws.access_name_rules` (accounts, identities, delivery, partner access); tags
in :mod:`silolake.aws.tag_rules`. A rule holds only what AWS documents (or, where AWS
documents nothing, says so): length, character set, reserved prefixes and suffixes,
forbidden forms.

Lengths are counted in characters; every silolake-derived name is ASCII, so characters and
bytes agree.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as one kind of name.

    ``pattern`` must match the whole name; ``charset`` says it in words for messages.
    ``forbidden`` holds (regex searched in the name, reason) pairs for forms AWS refuses
    although every character is allowed (two adjacent periods, an IP address, ...).
    """

    kind: str
    min_len: int
    max_len: int
    pattern: re.Pattern[str]
    charset: str
    doc: str
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()
    forbidden: tuple[tuple[re.Pattern[str], str], ...] = field(default=())
    #: The rule in words with its source: the docstring of the function that defines it.
    notes: str = field(default="", compare=False)

    def problems(self, name: str) -> list[tuple[str, str]]:
        """Every way ``name`` breaks this rule as ``(aspect, reason)``; empty when valid.

        ``aspect`` is one of ``length``, ``charset``, ``prefix``, ``suffix``, ``form``:
        validation uses it to report a fault once at the key that caused it.
        """
        if self._plain and self.min_len <= len(name) <= self.max_len and self.pattern.fullmatch(name):
            return []  # the common case, checked once
        out: list[tuple[str, str]] = []
        if not self.min_len <= len(name) <= self.max_len:
            out.append(("length", f"{len(name)} characters, AWS allows {self.min_len} to {self.max_len}"))
        if not self.pattern.fullmatch(name):
            out.append(("charset", f"AWS allows {self.charset}"))
        for prefix in self.reserved_prefixes:
            if name.lower().startswith(prefix):
                out.append(("prefix", f"names starting with '{prefix}' are reserved by AWS"))
        for suffix in self.reserved_suffixes:
            if name.lower().endswith(suffix):
                out.append(("suffix", f"names ending with '{suffix}' are reserved by AWS"))
        for regex, reason in self.forbidden:
            if regex.search(name):
                out.append(("form", reason))
        return out

    @property
    def _plain(self) -> bool:
        return not (self.reserved_prefixes or self.reserved_suffixes or self.forbidden)

    def accepts(self, name: str) -> bool:
        return not self.problems(name)


def cited(fn: Callable[[], NameRule]) -> NameRule:
    """Build a rule from a function whose docstring cites the AWS documentation."""
    assert fn.__doc__ and "https://" in fn.__doc__, f"{fn.__name__}: cite the AWS doc"
    return replace(fn(), notes=inspect.cleandoc(fn.__doc__))


def pattern(regex: str) -> re.Pattern[str]:
    """``regex`` compiled: a rule's whole-name pattern or a forbidden form."""
    return re.compile(regex)


def plain(kind: str, low: int, high: int, regex: str, charset: str, doc: str, **extra: object) -> NameRule:
    """A rule of a length range and a character pattern (the common shape)."""
    return NameRule(kind, low, high, pattern(regex), charset, doc, **extra)  # type: ignore[arg-type]
