"""JSON Schema validation of the catalog, with messages a platform engineer can act on.

The schema file (``silos.schema.json``) is shipped in the package and is also what
editors use through the ``# yaml-language-server: $schema=...`` modeline. jsonschema's
raw messages are precise but terse ("'x' was unexpected"); the rewrites below add what
was expected and, for typos, what was probably meant.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Problem
from .source import SourceDoc

SCHEMA_FILE = "silos.schema.json"


@lru_cache(maxsize=None)
def load_schema(name: str = SCHEMA_FILE) -> dict:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "boolean": "true or false", "null": "null", "number": "a number"}


def _kind(value: object) -> str:
    for name, py in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                     ("array", list), ("object", dict)):
        if isinstance(value, py):
            return _TYPE_NAMES[name]
    return "null" if value is None else type(value).__name__


def _message(error: ValidationError) -> tuple[str, bool]:
    """Return (message, point_at_key) for one schema error."""
    v, schema = error.validator, error.schema
    inst = error.instance
    desc = schema.get("description", "")
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in inst if k not in schema.get("properties", {}))
        hints = []
        for key in extra:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hints.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return "; ".join(hints) + f"; allowed keys: {', '.join(allowed)}", True
    if v == "required":
        missing = [k for k in error.validator_value if k not in inst]
        return f"missing required key{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)}", False
    if v == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        want = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        if "pattern" in schema and isinstance(inst, int) and not isinstance(inst, bool):
            return f"write it as a quoted string (\"{inst}\"); YAML read it as a number", False
        return f"expected {want}, got {_kind(inst)}", False
    if v == "const" and error.path and list(error.path) == ["version"]:
        return f"unsupported catalog version {inst!r}; this silolake reads version {error.validator_value}", False
    if v == "const":
        return f"must be {error.validator_value!r}", False
    if v == "enum":
        choices = ", ".join(repr(c) for c in error.validator_value)
        close = difflib.get_close_matches(str(inst), [str(c) for c in error.validator_value], n=1)
        return f"{inst!r} is not one of {choices}" + (f" (did you mean '{close[0]}'?)" if close else ""), False
    if v == "pattern":
        return f"{inst!r} is not valid: {desc or 'must match ' + error.validator_value}", False
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
    if v == "uniqueItems":
        return "contains duplicate entries; list each value once", False
    if v == "propertyNames":
        return f"invalid key name: {error.message}", True
    return error.message, False


def _errors(doc: SourceDoc, name: str) -> Iterator[Problem]:
    for error in _validator(name).iter_errors(doc.data):
        path = tuple(error.absolute_path)
        message, at_key = _message(error)
        if error.validator == "additionalProperties":
            extra = next((k for k in error.instance if k not in error.schema.get("properties", {})), None)
            if extra is not None:
                path = path + (extra,)
        if not path and error.validator == "type":
            message = "the catalog must be a mapping with version, organization, datalake_account and silos keys"
        yield doc.problem(path, message, at_key=at_key)


def schema_problems(doc: SourceDoc, name: str = SCHEMA_FILE) -> list[Problem]:
    """Every schema violation of ``doc`` as located problems (empty when valid)."""
    return list(_errors(doc, name))
