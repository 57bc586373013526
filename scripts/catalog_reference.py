#!/usr/bin/env python3
"""Render the catalog reference (every key, type, default, meaning) from the JSON Schema.

The README embeds the output between markers; a test keeps the two in sync, so the
documentation can never drift from what the validator accepts.

    python3 scripts/catalog_reference.py          # print the table
    python3 scripts/catalog_reference.py --write  # refresh README.md in place

It needs the framework's dependencies (``jsonschema_rs``): run by an interpreter without them
(the system ``python3``), it runs itself again under the repository's ``.venv`` (made by
``python3 scripts/dev.py synth``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "silolake" / "catalog" / "silos.schema.json"
README = REPO / "README.md"
BEGIN, END = "<!-- catalog-reference:begin -->", "<!-- catalog-reference:end -->"


def _resolve(node: dict, defs: dict) -> dict:
    if "$ref" in node:
        target = defs[node["$ref"].split("/")[-1]]
        merged = {**_resolve(target, defs), **{k: v for k, v in node.items() if k != "$ref"}}
        return merged
    return node


def _type(node: dict, defs: dict) -> str:
    node = _resolve(node, defs)
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return " or ".join(json.dumps(v) for v in node["enum"])
    if "oneOf" in node:
        return " or ".join(_type(o, defs) for o in node["oneOf"])
    t = node.get("type", "")
    if t == "array":
        return f"list of {_type(node.get('items', {}), defs)}"
    if t == "object" and "properties" not in node:
        return "mapping"
    if isinstance(t, list):
        return " or ".join(t)
    return t or "any"


def rows(node: dict, defs: dict, path: str, required: bool) -> list[str]:
    """One table row for ``path`` and, recursively, rows for its keys or list items."""
    node = _resolve(node, defs)
    default = f"`{json.dumps(node['default'])}`" if "default" in node else ("required" if required else "—")
    constraints = [f"pattern `{node['pattern']}`"] if "pattern" in node else []
    for key, word in (("minimum", "min"), ("maximum", "max"), ("maxLength", "max length")):
        if key in node:
            constraints.append(f"{word} {node[key]}")
    extra = f" ({'; '.join(constraints)})" if constraints else ""
    kind = "mapping" if node.get("type") == "object" else _type(node, defs)
    cells = [f"`{path}`", kind, default, f"{node.get('description', '')}{extra}".strip()]
    out = ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"]
    if node.get("type") == "array":
        item = _resolve(node.get("items", {}), defs)
        node, path = (item, f"{path}[]") if "properties" in item else ({}, path)
    for key, child in (node.get("properties") or {}).items():
        out += rows(child, defs, f"{path}.{key}", key in node.get("required", []))
    return out


def limits() -> list[str]:
    """The AWS limits the catalog reaches through derived names and tags (silolake.aws.name_rules)."""
    sys.path.insert(0, str(REPO))
    from silolake.aws import name_registry, tag_rules
    from silolake.catalog.limits import MAX_ORGANIZATION_TAGS, SYSTEM_TAG_KEYS

    lines = [
        "",
        "**Limits.** `validate` derives every AWS name from the catalog (organization name + silo name +",
        "region + ...) and checks it against the rule AWS documents; a broken rule is reported at the key",
        "to change, with how much to shorten. Names silolake adds itself never collide with declared",
        "ones: its S3 prefixes start with `_` (`_errors/`, `_rejects/`, `_quarantine/`, `_silolake/`),",
        "columns may not be named like a built-in partition (`ingest_date`) or start with `__` or",
        "`_silolake`. Catalog text (comments, tag values, e-mails, OU names) reaches Terraform escaped,",
        "so `${...}` and `%{...}` stay literal text.",
        "",
        f"Organization tags: at most {MAX_ORGANIZATION_TAGS} (AWS allows {tag_rules.MAX_TAGS_PER_RESOURCE} per "
        f"resource; silolake adds {', '.join(f'`{k}`' for k in SYSTEM_TAG_KEYS)}); keys 1-{tag_rules.TAG_KEY_MAX} "
        f"and values 0-{tag_rules.TAG_VALUE_MAX} characters of letters, digits, spaces and `_ . : / = + - @` "
        "(IAM's rule, the strictest of the services tagged); keys not starting with `aws:` or `silolake:`.",
        "",
        "| derived name | length | characters | reserved | rule |",
        "|---|---|---|---|---|",
    ]
    for rule in name_registry.RULES.values():
        reserved = [f"prefix `{p}`" for p in rule.reserved_prefixes] + [f"suffix `{x}`" for x in rule.reserved_suffixes]
        reserved += [reason for _, reason in rule.forbidden]
        cells = [rule.kind, f"{rule.min_len}-{rule.max_len}", rule.charset, ", ".join(reserved) or "—", rule.doc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def render() -> str:
    schema = json.loads(SCHEMA.read_text())
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key, child in schema["properties"].items():
        lines += rows(child, schema["$defs"], key, key in schema["required"])
    return "\n".join(lines + limits())


def _under_the_repo_venv() -> None:
    """Re-execute this script with ``.venv/bin/python`` when this interpreter cannot import
    the framework's dependencies; once only (``SILOLAKE_REEXEC``), so a broken venv fails
    with its own ImportError instead of looping."""
    try:
        import jsonschema_rs  # noqa: F401  (what render() needs through silolake.catalog)
    except ModuleNotFoundError:
        venv = REPO / ".venv" / "bin" / "python"
        if not venv.is_file() or os.environ.get("SILOLAKE_REEXEC"):
            raise SystemExit(f"{__file__}: run `python3 scripts/dev.py synth` first (it creates {venv})") from None
        os.execve(venv, [str(venv), __file__, *sys.argv[1:]], {**os.environ, "SILOLAKE_REEXEC": "1"})


def main(argv: list[str]) -> int:
    table = render()
    if "--write" not in argv:
        print(table)
        return 0
    text = README.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    return 0


if __name__ == "__main__":
    _under_the_repo_venv()
    sys.exit(main(sys.argv[1:]))
