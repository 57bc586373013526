"""JSON Schema validation of the catalog, with messages a platform engineer can act on.

The schema file (``silos.schema.json``) is shipped in the package and is also what
editors use through the ``# yaml-language-server: $schema=...`` modeline. jsonschema's
raw messages are precise but terse ("'x' was unexpected"); the rewrites below add what
was expected and, for typos, what was probably meant.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Problem, format_path
from .source import SourceDoc

SCHEMA_FILE = "silos.schema.json"


@cache
def load_schema(name: str = SCHEMA_FILE) -> dict:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def inlined_schema(name: str = SCHEMA_FILE) -> dict:
    """The catalog schema with every local ``$ref`` replaced by its definition."""
    schema = load_schema(name)
    return _inline_refs(schema, schema.get("$defs", {}))


@dataclass(frozen=True)
class _Defaults:
    """Where a schema node puts defaults: its own properties' defaults and the sub-nodes
    (properties, array items) below which more defaults live. Compiled once per schema,
    so filling a 1,000-silo catalog visits only the keys that can take a default."""

    own: tuple[tuple[str, Any], ...]
    children: tuple[tuple[str, _Defaults], ...]
    items: _Defaults | None


def _compile_defaults(schema: dict) -> _Defaults | None:
    props = schema.get("properties", {})
    own = tuple((k, sub["default"]) for k, sub in props.items() if "default" in sub)
    children = tuple((k, c) for k, sub in props.items() if (c := _compile_defaults(sub)) is not None)
    items = _compile_defaults(schema["items"]) if isinstance(schema.get("items"), dict) else None
    return _Defaults(own, children, items) if own or children or items else None


@cache
def _catalog_defaults() -> _Defaults | None:
    return _compile_defaults(inlined_schema())


def _fill(node: _Defaults, instance: Any) -> Any:
    if isinstance(instance, dict):
        out = dict(instance)
        for key, default in node.own:
            if key not in out:
                # defaults are JSON values: a fresh copy of a mapping or list, scalars as they are
                out[key] = copy.deepcopy(default) if isinstance(default, dict | list) else default
        for key, child in node.children:
            if key in out:
                out[key] = _fill(child, out[key])
        return out
    if isinstance(instance, list) and node.items is not None:
        return [_fill(node.items, item) for item in instance]
    return instance


def with_defaults(instance: Any) -> Any:
    """Copy of a schema-valid catalog with every omitted property that has a schema
    ``default`` filled in, recursively (also inside a default such as ``ingestion: {}``).

    The JSON Schema is the one place catalog defaults are written: editors show them, and
    the model reads them from here instead of repeating them in code.
    """
    node = _catalog_defaults()
    return instance if node is None else _fill(node, instance)


def _inline_refs(node: Any, defs: dict) -> Any:
    """Copy of ``node`` with every local ``$ref`` replaced by the definition it names.

    Resolving references costs jsonschema about a third of its time on a large catalog;
    the catalog schema has no recursive definitions, so inlining them once is exact.
    The definition's keywords win over siblings such as ``description``, so messages
    describe the value's format (e.g. "12-digit AWS account id") rather than its role.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            siblings = {k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"}
            return {**siblings, **_inline_refs(defs[ref[len("#/$defs/") :]], defs)}
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(inlined_schema(name))


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
    "number": "a number",
}


def _kind(value: object) -> str:
    for name, py in (
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
    ):
        if isinstance(value, py):
            return _TYPE_NAMES[name]
    return "null" if value is None else type(value).__name__


def _expected(schema: dict, pattern: str) -> str:
    """What a value failing ``pattern`` should look like, in words.

    ``patternErrorMessage`` is the keyword VS Code's YAML/JSON language servers show for a
    failed pattern, so the editor and ``silolake validate`` say the same thing; without it
    a description that names the format ("A 12-digit AWS account id") serves.
    """
    if schema.get("patternErrorMessage"):
        return schema["patternErrorMessage"]
    description = schema.get("description", "")
    return f"expected {description[0].lower()}{description[1:]}" if description else f"must match {pattern}"


def suggest_name(value: str, pattern: str, max_length: int | None = None) -> str | None:
    """The value a mechanical fix makes of ``value`` so that it matches ``pattern``, if one does.

    Lowercases, splits camelCase and joins words with ``_`` or ``-``, whichever the pattern
    takes: ``pos-sales`` -> ``pos_sales`` for a flow, ``Sales_EU`` -> ``sales-eu`` for a silo,
    ``EU-West-1`` -> ``eu-west-1`` for a region. None when no such spelling fits (a name
    starting with a digit, non-ASCII letters): then only the person knows the right name.
    """
    if not value.isascii():
        return None
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", value).lower()
    regex = re.compile(pattern)
    for sep in ("_", "-"):
        candidate = re.sub(r"[^a-z0-9]+", sep, words).strip(sep)
        if candidate != value and regex.search(candidate) and (max_length is None or len(candidate) <= max_length):
            return candidate
    return None


def _padded_deadline(value: str) -> str | None:
    """``"6:00 Europe/Rome"`` -> ``"06:00 Europe/Rome"``: a deadline's hour written with one digit."""
    match = re.fullmatch(r"([0-9]):([0-5][0-9]) (\S+)", value)
    return f"0{match[1]}:{match[2]} {match[3]}" if match else None


def _pattern_message(inst: Any, schema: dict, pattern: str) -> str:
    message = f"{inst!r} is not valid: {_expected(schema, pattern)}"
    # Role names refer to roles that exist in an account, and ``x-existing-name`` marks other
    # names of things that exist (a secret): a respelling would name another one.
    names_own = pattern != load_schema()["$defs"]["role_name"]["pattern"] and not schema.get("x-existing-name")
    fix = suggest_name(inst, pattern, schema.get("maxLength")) if isinstance(inst, str) and names_own else None
    if fix is None and isinstance(inst, str) and pattern == load_schema()["$defs"]["deadline"]["pattern"]:
        fix = _padded_deadline(inst)
    return f"{message.rstrip('.')}; write '{fix}' instead" if fix else message


def _message(error: ValidationError, doc: SourceDoc) -> tuple[str, bool]:
    """Return (message, point_at_key) for one schema error."""
    v, schema = error.validator, error.schema
    inst = error.instance
    desc = schema.get("description", "")
    if v in _STRUCTURE_MESSAGES:
        return _STRUCTURE_MESSAGES[v](error, doc)
    if v == "const" and list(error.absolute_path) == ["version"]:
        return f"unsupported catalog version {inst!r}; this silolake reads version {error.validator_value}", False
    if v == "const":
        return f"must be {error.validator_value!r}", False
    if v == "enum":
        choices = ", ".join(repr(c) for c in error.validator_value)
        close = difflib.get_close_matches(str(inst), [str(c) for c in error.validator_value], n=1)
        return f"{inst!r} is not one of {choices}" + (f" (did you mean '{close[0]}'?)" if close else ""), False
    if v == "pattern" and "propertyNames" in error.schema_path:
        return f"key {inst!r} is not valid: {_expected(schema, error.validator_value)}", True
    if v == "pattern":
        return _pattern_message(inst, schema, error.validator_value), False
    if v == "oneOf":
        return f"{inst!r} is not valid: {desc or 'matches none of the allowed forms'}", False
    if v in ("minimum", "maximum"):
        side = "at least" if v == "minimum" else "at most"
        return f"must be {side} {error.validator_value}, got {inst}", False
    if v == "maxLength":
        return f"{inst!r} is too long: at most {error.validator_value} characters", False
    if v == "minLength":
        return f"must have at least {error.validator_value} character(s)", False
    if v == "minItems":
        return f"needs at least {error.validator_value} item(s)", False
    if v == "minProperties" and inst == {} and schema.get("x-empty-message"):
        return schema["x-empty-message"], False
    if v in ("minProperties", "maxProperties"):
        # The schema's description says which keys and how many (e.g. "exactly one of connection or s3").
        given = ", ".join(sorted(inst)) if isinstance(inst, dict) and inst else "none"
        return f"{desc or error.message} (given: {given})", False
    if v == "uniqueItems":
        return "contains duplicate entries; list each value once", False
    return error.message, False


_JSON_TYPES = {"array": list, "object": dict, "string": str, "boolean": bool}


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Replace a ``oneOf`` error by the errors of the one branch the value was meant for.

    ``silos: [sales, Bad_Name]`` should say which entry is wrong, not that the whole value
    matches neither 'all' nor a list; the branch whose JSON type fits the value is the one
    the user meant. With no such single branch the ``oneOf`` error itself is clearer.
    """
    if error.validator == "oneOf" and error.context:
        branches = [
            i
            for i, b in enumerate(error.validator_value)
            if isinstance(error.instance, _JSON_TYPES.get(b.get("type", ""), ()))
        ]
        if len(branches) == 1:
            for sub in error.context:
                if sub.relative_schema_path and sub.relative_schema_path[0] == branches[0]:
                    yield from _leaves(sub)
            return
    yield error


def _typo_fixes(errors: list[ValidationError]) -> dict[tuple, set[str]]:
    """Keys each mapping would have if its misspelled keys were fixed (by did-you-mean)."""
    fixes: dict[tuple, set[str]] = {}
    for error in errors:
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    fixes.setdefault(tuple(error.absolute_path), set()).update(
                        difflib.get_close_matches(str(key), allowed, n=1)
                    )
    return fixes


def _errors(doc: SourceDoc, name: str) -> Iterator[Problem]:
    errors = [leaf for top in _validator(name).iter_errors(doc.data) for leaf in _leaves(top)]
    fixes = _typo_fixes(errors)
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "required":
            # `flwos:` is one mistake: the unknown-key message already names 'flows'.
            explained = fixes.get(path, set())
            error.validator_value = [k for k in error.validator_value if k not in explained]
            if all(k in error.instance for k in error.validator_value):
                continue
        message, at_key = _message(error, doc)
        names_key = error.validator == "additionalProperties" or at_key and error.validator == "pattern"
        if error.validator == "additionalProperties":
            extras = [k for k in error.instance if k not in error.schema.get("properties", {})]
            path = path + (min(extras, key=lambda k: doc.locate(path + (k,), at_key=True)),)
        elif error.validator == "pattern" and at_key:  # propertyNames: point at the offending key
            path = path + (error.instance,)
        if not path and error.validator == "type":
            message = (
                "the catalog must be a mapping with version, organization, datalake_account and "
                f"silos keys, got {_kind(error.instance)}"
            )
        if names_key and not isinstance(path[-1], str):  # a `1:` or `yes:` key is no list index
            line, col = doc.locate(path, at_key=True)
            yield Problem(doc.file, line, col, format_path(path[:-1] + (str(path[-1]),)), message)
        else:
            yield doc.problem(path, message, at_key=at_key)


@cache
def _fast_validator(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(load_schema(name))


def _surely_valid(data: Any, name: str) -> bool:
    """Fast yes/no answer from the compiled (Rust) validator.

    Python jsonschema spends ~0.5 s per 1,000 silos walking a *valid* catalog; the
    compiled validator answers the same question in ~15 ms. Only a catalog it rejects
    is walked again by jsonschema, whose errors carry the paths our messages need.
    Values JSON has no type for (YAML dates) make it refuse; then we ask jsonschema.
    """
    try:
        return _fast_validator(name).is_valid(data)
    except (ValueError, TypeError):
        return False


def schema_problems(doc: SourceDoc, name: str = SCHEMA_FILE) -> list[Problem]:
    """Every schema violation of ``doc`` as located problems (empty when valid)."""
    if _surely_valid(doc.data, name):
        return []
    return list(_errors(doc, name))


def _additional_properties(error: ValidationError, doc: SourceDoc) -> tuple[str, bool]:
    allowed = sorted(error.schema.get("properties", {}))
    extra = sorted((k for k in error.instance if k not in error.schema.get("properties", {})), key=str)
    hints = []
    for key in extra:
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hints.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return "; ".join(hints) + f"; allowed keys: {', '.join(allowed)}", True


def _required(error: ValidationError, doc: SourceDoc) -> tuple[str, bool]:
    missing = [k for k in error.validator_value if k not in error.instance]
    return f"missing required key{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)}", True


def _type(error: ValidationError, doc: SourceDoc) -> tuple[str, bool]:
    inst, expected = error.instance, error.validator_value
    expected = expected if isinstance(expected, list) else [expected]
    want = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in expected)
    if "pattern" in error.schema and isinstance(inst, int) and not isinstance(inst, bool):
        written = doc.int_text.get(tuple(error.absolute_path), str(inst))
        return f'write it as a quoted string ("{written}"); YAML read it as the number {inst}', False
    return f"expected {want}, got {_kind(inst)}", False


#: Messages about the shape of a mapping (keys present, keys allowed, value types).
_STRUCTURE_MESSAGES: dict[str, Callable[[ValidationError, SourceDoc], tuple[str, bool]]] = {
    "additionalProperties": _additional_properties,
    "required": _required,
    "type": _type,
}
