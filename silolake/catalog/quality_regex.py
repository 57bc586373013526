"""The regular expressions a ``pattern`` quality rule may use: the subset Python and Java read alike.

The catalog is validated in Python (``re``); the conform job evaluates the rule in Spark,
whose ``rlike`` is ``java.util.regex.Pattern.matcher(value).find()``
(https://spark.apache.org/docs/3.5.4/api/sql/index.html#rlike). Both *search* the value
(use ``^...$`` to match all of it). Where the two engines disagree, the construct is
refused here with the spelling to use instead, or translated so Java reads it as Python does:

- ``.``: Python matches any character but ``\\n``; Java also stops at ``\\r``, ``\\u0085``,
  ``\\u2028`` and ``\\u2029`` -> sent to Java as ``[^\\n]``.
- ``$``: Python matches at the end or before a final ``\\n``; Java before any final line
  terminator -> sent as ``(?=\\n?\\z)``. ``^`` is the start of the value in both.
- ``\\d \\w \\s \\b`` (and upper case): Unicode-aware in Python, ASCII in Java -> refused
  (write ``[0-9]``, ``[A-Za-z0-9_]``, ``[ \\t\\n\\r\\f]``).
- ``[`` inside a class (a union in Java), ``&&`` (an intersection in Java), a class opening
  with ``]``, ``{`` that is not a quantifier (a literal in Python, an error in Java), stray
  ``}``/``]``, ``{,n}``, possessive quantifiers, back-references, named groups,
  look-behind (fixed width in Python, bounded in Java), inline flags, and letter escapes
  other than ``\\n \\t \\r \\f`` -> refused.

What stays: literals, escaped punctuation, classes with ranges and negation, groups
``(...)``/``(?:...)``, look-ahead ``(?=...)``/``(?!...)``, ``|``, ``* + ? {n} {n,} {n,m}``
and their lazy ``?`` forms. ``tests/runtime/conform/test_quality.py`` runs accepted
patterns in both engines over the same values and asserts identical answers.
"""

from __future__ import annotations

import re
import warnings

from ..errors import UsageError

__all__ = ["RegexRefused", "java_regex"]

_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_ASCII_CLASS = {"d": "[0-9]", "w": "[A-Za-z0-9_]", "s": "[ \\t\\n\\r\\f]", "b": "^, $ or a class such as [^A-Za-z0-9_]"}
_CONTROL = set("ntrf")


class RegexRefused(UsageError):
    """The pattern is not valid, or uses a construct Python and Java read differently; says which and how to fix."""


def _punct(c: str) -> bool:
    return c.isascii() and not c.isalnum() and c.isprintable() and c != " "


def _escape(text: str, i: int) -> str:
    """The escape at ``text[i] == '\\'`` if both engines read it alike; raises otherwise."""
    if i + 1 >= len(text):
        raise RegexRefused("the pattern ends with a lone backslash")
    c = text[i + 1]
    if _punct(c) or c in _CONTROL:
        return "\\" + c
    if c.lower() in _ASCII_CLASS:
        fix = _ASCII_CLASS[c.lower()]
        return _refuse(f"\\{c} (Unicode-aware in Python, ASCII-only in Java)", i, f"write {fix} instead")
    if c.isdigit():
        return _refuse(f"the back-reference \\{c}", i)
    return _refuse(f"the escape \\{c}", i)


def _refuse(what: str, at: int, fix: str = "") -> str:
    message = f"{what} at position {at} is outside the regex subset Python and Java read alike (docs/etl.md)"
    raise RegexRefused(f"{message}; {fix}" if fix else message)


def _char_class(text: str, i: int) -> tuple[str, int]:
    """The class starting at ``text[i] == '['``: (its text for Java, index after it)."""
    out, j = "[", i + 1
    if j < len(text) and text[j] == "^":
        out, j = "[^", j + 1
    if j < len(text) and text[j] == "]":
        _refuse("a class opening with ']'", j, "write \\]")
    while j < len(text) and text[j] != "]":
        c = text[j]
        if c == "\\":
            out, j = out + _escape(text, j), j + 2
            continue
        if c == "[":
            _refuse("'[' inside a class (a nested class in Java)", j, "write \\[")
        if text.startswith("&&", j):
            _refuse("'&&' inside a class (an intersection in Java)", j)
        out, j = out + c, j + 1
    if j >= len(text):
        raise RegexRefused(f"the class opened at position {i} is never closed with ']'")
    return out + "]", j + 1


def _group(text: str, i: int) -> str:
    if text.startswith("(?", i) and not text.startswith(("(?:", "(?=", "(?!"), i):
        _refuse(f"the group '{text[i : i + 4]}' (only (...), (?:...), (?=...) and (?!...) are shared)", i)
    return "(" if not text.startswith("(?", i) else text[i : i + 3]


def java_regex(text: str) -> str:
    """The Java (Spark ``rlike``) form of catalog pattern ``text``, which matches exactly what
    Python's ``re.search(text, value)`` matches; raises :class:`RegexRefused` with the fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Python's FutureWarning on [[ or && marks a Java difference too
        try:
            re.compile(text)
        except (re.error, FutureWarning) as exc:
            raise RegexRefused(f"not a valid regular expression: {exc}") from None
    out: list[str] = []
    i, after_quantifier = 0, False
    while i < len(text):
        c, quantifier = text[i], False
        if c == "\\":
            out.append(_escape(text, i))
            i += 2
        elif c == "[":
            part, i = _char_class(text, i)
            out.append(part)
        elif c == "(":
            part = _group(text, i)
            out.append(part)
            i += len(part)
        elif c == "{":
            m = _QUANTIFIER.match(text, i)
            if not m:
                _refuse("'{' that is not a quantifier {n}, {n,} or {n,m}", i, "write \\{ for the character")
            assert m is not None
            out.append(m.group(0))
            i, quantifier = m.end(), True
        elif c in "}]":
            _refuse(f"a lone '{c}'", i, f"write \\{c}")
        elif c in "*+?":
            if after_quantifier and c == "+":
                _refuse("a possessive quantifier", i)
            out.append(c)
            i, quantifier = i + 1, not (after_quantifier and c == "?")
        else:
            out.append({".": "[^\\n]", "$": "(?=\\n?\\z)"}.get(c, c))
            i += 1
        after_quantifier = quantifier
    return "".join(out)
