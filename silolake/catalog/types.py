"""Column types of the catalog: parse, validate and normalise Glue/Hive DDL type strings.

Users write column types in ``silos.yaml`` the way they appear in Glue/Athena DDL
(``int``, ``decimal(12,2)``, ``array<struct<a:int>>``). This module is the *single*
mapping from those strings to the Glue type string written to Glue table columns --
the same columns Firehose reads to convert records to Parquet -- so a type that
passes here is one Glue, Athena and Firehose all accept, spelled one canonical way.

The parser is a small hand-written recursive descent over a regex tokenizer: no
dependency, positions in every error, and microseconds per call (results are cached,
catalogs repeat the same few types thousands of times).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import UsageError

__all__ = [
    "ArrayType",
    "GlueType",
    "MapType",
    "Primitive",
    "StructType",
    "SUPPORTED_TYPES_HELP",
    "TypeSyntaxError",
    "glue_type",
    "is_primitive",
    "parse_type",
]

MAX_DEPTH = 10
"""Deepest nesting of array/map/struct accepted; deeper is almost surely a typo and
would make Glue's type strings (capped at 131,072 chars) and Athena queries unwieldy."""

SUPPORTED_TYPES_HELP = (
    "supported column types: boolean, tinyint, smallint, int (alias integer), bigint, "
    "float, double, string, binary, date, timestamp, char(n) with n 1..255, "
    "varchar(n) with n 1..65535, decimal (= decimal(10,0)), decimal(p) or decimal(p,s) "
    "with p 1..38 and s 0..p, array<T>, map<K,V> with K primitive, "
    "struct<name:T,...> with unique names matching [A-Za-z_][A-Za-z0-9_]*"
)

_SIMPLE = frozenset(
    ["boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "date", "timestamp"]
)
_ALIASES = {"integer": "int"}
_LENGTH_BOUNDS = {"char": 255, "varchar": 65535}
_MAX_PRECISION = 38
_COMPLEX = ("array", "map", "struct")
_EXAMPLES = {"array": "array<string>", "map": "map<string,int>", "struct": "struct<a:int,b:string>"}
# Spellings from other SQL dialects that Glue/Hive reject; point at the right one.
_HINTS = {"long": "bigint", "bool": "boolean", "text": "string", "datetime": "timestamp", "list": "array"}
_KNOWN = sorted(_SIMPLE | set(_ALIASES) | set(_LENGTH_BOUNDS) | {"decimal"} | set(_COMPLEX))

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|([<>(),:])|(\S))")
_WORD, _NUM, _PUNCT, _BAD = 1, 2, 3, 4


class TypeSyntaxError(UsageError, ValueError):
    """A column type string is not a valid Glue/Hive type.

    ``position`` is the 0-based character offset of the offending fragment in
    ``text`` (or ``None``) so the catalog validator can point at the exact column.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None):
        super().__init__(message)
        self.text = text
        self.position = position


@dataclass(frozen=True)
class Primitive:
    """A scalar type; ``params`` holds char/varchar length or decimal (precision, scale)."""

    name: str
    params: tuple[int, ...] = ()

    def glue(self) -> str:
        """Canonical Glue spelling, e.g. ``decimal(12,2)``."""
        return f"{self.name}({','.join(map(str, self.params))})" if self.params else self.name

    __str__ = glue


@dataclass(frozen=True)
class ArrayType:
    """``array<element>``."""

    element: GlueType

    def glue(self) -> str:
        """Canonical Glue spelling."""
        return f"array<{self.element.glue()}>"

    __str__ = glue


@dataclass(frozen=True)
class MapType:
    """``map<key,value>``; Hive only allows primitive keys."""

    key: Primitive
    value: GlueType

    def glue(self) -> str:
        """Canonical Glue spelling."""
        return f"map<{self.key.glue()},{self.value.glue()}>"

    __str__ = glue


@dataclass(frozen=True)
class StructType:
    """``struct<name:type,...>``; names are lower-cased because Glue/Athena lower-case them."""

    fields: tuple[tuple[str, GlueType], ...]

    def glue(self) -> str:
        """Canonical Glue spelling."""
        return "struct<" + ",".join(f"{n}:{t.glue()}" for n, t in self.fields) + ">"

    __str__ = glue


GlueType = Primitive | ArrayType | MapType | StructType


def is_primitive(t: GlueType | str) -> bool:
    """True for scalar types (the only ones allowed as map keys or partition keys)."""
    return isinstance(parse_type(t) if isinstance(t, str) else t, Primitive)


def parse_type(text: str) -> GlueType:
    """Parse a catalog column type; raise :class:`TypeSyntaxError` saying what and where."""
    if not isinstance(text, str):
        raise TypeSyntaxError(f"column type must be a string, got {type(text).__name__}; {SUPPORTED_TYPES_HELP}")
    return _parse_cached(text)


def glue_type(text: str) -> str:
    """The canonical Glue type string for a catalog column type."""
    return parse_type(text).glue()


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> GlueType:
    if not text.strip():
        raise TypeSyntaxError(f"empty column type; {SUPPORTED_TYPES_HELP}", text, 0)
    return _Parser(text).parse()


class _Parser:
    """Recursive descent over ``(kind, value, position)`` tokens."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[int, str, int]] = []
        for m in _TOKEN.finditer(text):
            kind = m.lastindex or 0
            self.tokens.append((kind, m.group(kind), m.start(kind)))
        self.i = 0

    # -- helpers -------------------------------------------------------------------
    def fail(self, message: str, position: int, hint: str = "") -> TypeSyntaxError:
        return TypeSyntaxError(f"{message} at position {position} of {self.text!r}{hint}", self.text, position)

    def peek(self) -> tuple[int, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self, expected: str, opener: tuple[str, int] | None = None) -> tuple[int, str, int]:
        tok = self.peek()
        if tok is None:
            if opener is not None:
                raise self.fail(f"unbalanced '{opener[0]}' (missing {expected})", opener[1])
            raise self.fail(f"unexpected end of type, expected {expected}", len(self.text))
        if tok[0] == _BAD:
            raise self.fail(f"unexpected character {tok[1]!r}", tok[2])
        self.i += 1
        return tok

    def expect(self, punct: str, opener: tuple[str, int] | None = None) -> None:
        kind, value, pos = self.next(f"'{punct}'", opener)
        if kind != _PUNCT or value != punct:
            raise self.fail(f"expected '{punct}' but found {value!r}", pos)

    def number(self, what: str, opener: tuple[str, int]) -> int:
        kind, value, pos = self.next(what, opener)
        if kind != _NUM:
            raise self.fail(f"{what} must be a whole number, got {value!r}", pos)
        if len(value) > 9:  # also keeps int() clear of Python's 4300-digit guard
            raise self.fail(f"{what} {value[:12]}{'...' if len(value) > 12 else ''} is too large", pos)
        return int(value)

    # -- grammar -------------------------------------------------------------------
    def parse(self) -> GlueType:
        result = self.type_(0)
        tok = self.peek()
        if tok is not None:
            rest = self.text[tok[2] :].rstrip()
            if tok[1] in (">", ")"):
                raise self.fail(f"unbalanced '{tok[1]}'", tok[2])
            raise self.fail(f"trailing text {rest!r} after type", tok[2])
        return result

    def type_(self, depth: int) -> GlueType:
        kind, value, pos = self.next("a type")
        if kind != _WORD:
            raise self.fail(f"expected a type but found {value!r}", pos)
        name = value.lower()
        name = _ALIASES.get(name, name)
        if name in _COMPLEX:
            if depth >= MAX_DEPTH:
                raise self.fail(f"type nested deeper than {MAX_DEPTH} levels", pos)
            tok = self.peek()
            if tok is None or tok[1] != "<":
                raise self.fail(f"{name} needs its element type(s) in '<...>', e.g. {_EXAMPLES[name]}", pos)
            self.i += 1
            opener = ("<", tok[2])
            result = getattr(self, name)(depth + 1, opener)
            self.expect(">", opener)
            return result
        if name in _SIMPLE:
            if (tok := self.peek()) is not None and tok[1] == "(":
                raise self.fail(f"type '{name}' takes no parameters", tok[2])
            return Primitive(name)
        if name in _LENGTH_BOUNDS:
            return self.sized(name, pos)
        if name == "decimal":
            return self.decimal()
        guess = _HINTS.get(name) or next(iter(difflib.get_close_matches(name, _KNOWN, n=1)), None)
        hint = f" (did you mean '{guess}'?)" if guess else f"; {SUPPORTED_TYPES_HELP}"
        raise self.fail(f"unknown type {value!r}", pos, hint)

    def params(self) -> tuple[list[int], tuple[str, int]] | None:
        tok = self.peek()
        if tok is None or tok[1] != "(":
            return None
        self.i += 1
        opener = ("(", tok[2])
        values = [self.number("parameter", opener)]
        while (tok := self.peek()) is not None and tok[1] == ",":
            self.i += 1
            values.append(self.number("parameter", opener))
        self.expect(")", opener)
        return values, opener

    def sized(self, name: str, pos: int) -> Primitive:
        limit = _LENGTH_BOUNDS[name]
        got = self.params()
        if got is None:
            raise self.fail(f"{name} needs a length, e.g. {name}(10)", pos)
        values, (_, ppos) = got
        if len(values) != 1:
            raise self.fail(f"{name} takes one length, got {len(values)} parameters", ppos)
        if not 1 <= values[0] <= limit:
            raise self.fail(f"{name} length must be 1..{limit}, got {values[0]}", ppos)
        return Primitive(name, (values[0],))

    def decimal(self) -> Primitive:
        got = self.params()
        if got is None:
            return Primitive("decimal", (10, 0))
        values, (_, ppos) = got
        if len(values) > 2:
            raise self.fail(f"decimal takes (precision) or (precision,scale), got {len(values)} parameters", ppos)
        precision, scale = values[0], values[1] if len(values) == 2 else 0
        if not 1 <= precision <= _MAX_PRECISION:
            raise self.fail(f"decimal precision must be 1..{_MAX_PRECISION}, got {precision}", ppos)
        if scale > precision:
            raise self.fail(f"decimal scale must be 0..precision ({precision}), got {scale}", ppos)
        return Primitive("decimal", (precision, scale))

    def array(self, depth: int, opener: tuple[str, int]) -> ArrayType:
        return ArrayType(self.type_(depth))

    def map(self, depth: int, opener: tuple[str, int]) -> MapType:
        start = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        key = self.type_(depth)
        if not isinstance(key, Primitive):
            raise self.fail(f"map key must be a primitive type, got '{key.glue()}'", start)
        self.expect(",", opener)
        return MapType(key, self.type_(depth))

    def struct(self, depth: int, opener: tuple[str, int]) -> StructType:
        fields: list[tuple[str, GlueType]] = []
        seen: set[str] = set()
        while True:
            kind, value, pos = self.next("a field name", opener)
            if value == ">" and not fields:
                raise self.fail("struct needs at least one field", pos)
            if kind != _WORD:
                raise self.fail(f"expected a struct field name but found {value!r}", pos)
            name = value.lower()
            if name in seen:
                raise self.fail(f"duplicate struct field {value!r}", pos)
            seen.add(name)
            self.expect(":", opener)
            fields.append((name, self.type_(depth)))
            tok = self.peek()
            if tok is None or tok[1] != ",":
                return StructType(tuple(fields))
            self.i += 1
