"""Readable, lossless golden views of long one-line strings (:func:`tests.golden.normalise`).

A state machine passes the Redshift DDL and load as ``States.Array('CREATE ...', ...)`` (an
Amazon States Language intrinsic function, one 4,000-character string); Glue takes its extra
Python files as one comma-separated list; CloudFront its content security policy as one
``;``-separated string. The golden file shows each parsed, so a diff names the statement,
file or directive that changed:

Only strings over :data:`LONG` characters are shown so:

- an intrinsic call as ``{"(States.Array)": [argument, ...]}``: a string literal as its text
  (``\\'`` read as ``'``), a JSONPath as ``{"(path)": "$.x"}``, a nested call the same way;
- a SQL statement (an intrinsic's literal starting with a SQL verb) as ``{"(sql)": [line, ...]}``:
  broken after each ``;`` and ``BEGIN`` and before ``BEGIN``, ``SELECT``, ``FROM``, ``WHERE``,
  ``THEN`` and the closing ``$$``, one space per break;
- any other string with ``"; "`` or ``","`` in it as
  ``{"(split '; ')": [part, ...]}`` / ``{"(split ',')": [...]}``.

Every view is kept only if rendering it back gives the very string Terraform delivers
(:func:`render` is tested on every view of the golden stacks), so the snapshot still pins the
delivered text exactly. Reference: intrinsic functions and their escapes,
https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
"""

from __future__ import annotations

import re
from typing import Any

#: Strings longer than this (characters) are shown parsed or split, when they have a structure.
LONG = 200
#: The key of a parsed JSONPath argument of an intrinsic function.
PATH_KEY = "(path)"
#: The key of a SQL statement shown one clause per line.
SQL_KEY = "(sql)"
#: Separators a long string is split on, first match wins: ``{separator: key}``.
SPLIT_KEYS = {"; ": "(split '; ')", ",": "(split ',')"}
_CALL = re.compile(r"(States\.[A-Za-z]+)\(")
_SQL_VERB = re.compile(r"(CREATE|CALL|COPY|DELETE|INSERT|DROP|ALTER|SELECT|UPDATE|BEGIN)\b")
#: Where a statement breaks: after ``;`` and before a clause keyword (each break is one space).
_SQL_BREAK = re.compile(r"(?<=;) |(?<=\bBEGIN) | (?=(?:BEGIN|SELECT|FROM|WHERE|THEN)\b)| (?=\$\$ LANGUAGE\b)")


class _Unparsed(ValueError):
    """The text is not an intrinsic call this view can show losslessly."""


def _literal(text: str, at: int) -> tuple[str, int]:
    """The string literal starting at ``text[at] == "'"``: its value and the index after it."""
    out, i = [], at + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\'":
            out.append(text[i + 1])
            i += 2
        elif ch == "'":
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise _Unparsed(text)


def _call(text: str, at: int) -> tuple[dict[str, list[Any]], int]:
    """The intrinsic call starting at ``at``: ``({name: [arguments]}, index after its ")")``."""
    match = _CALL.match(text, at)
    if not match:
        raise _Unparsed(text)
    args: list[Any] = []
    i = match.end()
    while True:
        while text.startswith(" ", i):
            i += 1
        if text.startswith("'", i):
            value, i = _literal(text, i)
            args.append(value)
        elif text.startswith("States.", i):
            call, i = _call(text, i)
            args.append(call)
        elif text.startswith("$", i):
            end = i
            while end < len(text) and text[end] not in ",)":
                end += 1
            args.append({PATH_KEY: text[i:end]})
            i = end
        else:
            raise _Unparsed(text)
        if text.startswith(", ", i):
            i += 2
        elif text.startswith(")", i):
            return {f"({match[1]})": args}, i + 1
        else:
            raise _Unparsed(text)


def _render_arg(arg: Any) -> str:
    if isinstance(arg, str):
        return "'" + arg.replace("\\", "\\\\").replace("'", "\\'") + "'"
    [(key, value)] = arg.items()
    if key == PATH_KEY:
        return value
    if key == SQL_KEY:
        return _render_arg(" ".join(value))
    return f"{key[1:-1]}({', '.join(_render_arg(a) for a in value)})"


def render(view: Any) -> Any:
    """The delivered string of a view (the inverse of :func:`view`); other values as they are."""
    if isinstance(view, dict) and len(view) == 1:
        [(key, value)] = view.items()
        if _CALL.fullmatch(key[1:-1] + "("):
            return _render_arg(view)
        if key == SQL_KEY:
            return " ".join(value)
        separator = next((s for s, k in SPLIT_KEYS.items() if k == key), None)
        if separator is not None:
            return separator.join(value)
    return view


def _sql(arg: Any) -> Any:
    """A literal SQL statement as its :data:`SQL_KEY` lines; anything else, nested calls' SQL too."""
    if isinstance(arg, str) and _SQL_VERB.match(arg):
        lines = _SQL_BREAK.split(arg)
        return {SQL_KEY: lines} if len(lines) > 1 else arg
    if isinstance(arg, dict):
        return {key: [_sql(a) for a in value] if isinstance(value, list) else value for key, value in arg.items()}
    return arg


def view(text: str) -> Any:
    """``text`` as its readable view, or ``text`` itself when it has none (or none that renders
    back), or is no longer than :data:`LONG`: a short string reads well as it is."""
    if len(text) <= LONG:
        return text
    if _CALL.match(text):
        try:
            call, end = _call(text, 0)
        except _Unparsed:
            return text
        shown = _sql(call)
        return shown if end == len(text) and render(shown) == text else text
    for separator, key in SPLIT_KEYS.items():
        parts = text.split(separator)
        if len(parts) > 1:
            return {key: parts}
    return text
