"""The golden snapshot reads line by line: no line over LINE_MAX characters, each long
structured string (Redshift SQL in ``States.Array``, Glue's extra files, a content security
policy) shown parsed by :mod:`tests.golden.views`, and every such view exactly the string
Terraform delivers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.golden import GOLDEN_DIR, LINE_MAX, normalise, views


def _long_lines(name: str, text: str) -> list[str]:
    return [
        f"{name}:{n}: {len(line)} characters" for n, line in enumerate(text.splitlines(), 1) if len(line) > LINE_MAX
    ]


def test_no_golden_line_is_longer_than_the_limit() -> None:
    paths = sorted(GOLDEN_DIR.glob("*.json"))
    assert paths
    assert [found for p in paths for found in _long_lines(p.name, p.read_text(encoding="utf-8"))] == []


def test_the_line_check_sees_a_long_line() -> None:
    assert _long_lines("probe.json", "{\n" + "x" * (LINE_MAX + 1) + "\n}") == [
        f"probe.json:2: {LINE_MAX + 1} characters"
    ]


def _views(node: Any) -> Iterator[dict[str, Any]]:
    """Every outermost view in ``node`` (a call's SQL is part of the call's view)."""
    if isinstance(node, dict):
        if len(node) == 1 and views.render(node) is not node:
            yield node
            return
        for value in node.values():
            yield from _views(value)
    elif isinstance(node, list):
        for value in node:
            yield from _views(value)


def test_every_golden_view_is_the_view_of_the_string_it_renders() -> None:
    """Each view in the snapshot renders to one string whose view it is: the snapshot pins that
    string exactly (views are shown only when they render back, :func:`views.view`)."""
    found = [v for p in sorted(GOLDEN_DIR.glob("*.json")) for v in _views(json.loads(p.read_text(encoding="utf-8")))]
    kinds = {next(iter(v)) for v in found}
    assert kinds == {"(States.Array)", "(split ',')", "(split '; ')"}
    for shown in found:
        text = views.render(shown)
        assert isinstance(text, str) and views.view(text) == shown


SQL = (
    'States.Array(\'CREATE TABLE IF NOT EXISTS public."t" ("a" INT)\', \'CREATE OR REPLACE PROCEDURE p() AS $$ '
    "BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = \\'t\\') THEN EXECUTE "
    "\\'ALTER TABLE t ADD COLUMN \"b\" INT\\'; END IF; END; $$ LANGUAGE plpgsql', "
    "States.Format('DELETE FROM public.\"t\" WHERE \"d\" = \\'{}\\'::DATE', $.partition.d), 'DROP TABLE \"s\"')"
)


def test_a_states_array_of_sql_is_shown_one_clause_per_line() -> None:
    shown = views.view(SQL)
    assert shown == {
        "(States.Array)": [
            'CREATE TABLE IF NOT EXISTS public."t" ("a" INT)',
            {
                "(sql)": [
                    "CREATE OR REPLACE PROCEDURE p() AS $$",
                    "BEGIN",
                    "IF NOT EXISTS (SELECT 1",
                    "FROM pg_catalog.pg_class c",
                    "WHERE c.relname = 't')",
                    "THEN EXECUTE 'ALTER TABLE t ADD COLUMN \"b\" INT';",
                    "END IF;",
                    "END;",
                    "$$ LANGUAGE plpgsql",
                ]
            },
            {
                "(States.Format)": [
                    {"(sql)": ["DELETE", 'FROM public."t"', "WHERE \"d\" = '{}'::DATE"]},
                    {"(path)": "$.partition.d"},
                ]
            },
            'DROP TABLE "s"',
        ]
    }
    assert views.render(shown) == SQL


@pytest.mark.parametrize(
    "text",
    [
        "States.JsonToString($.redrive.days)",  # short: as it is
        "States.Format('a \\{literal\\} brace {} " + "x" * views.LONG + "', $.x)",  # an escape it does not read
        "States.Array('unterminated " + "x" * views.LONG,
        "y" * (views.LONG + 1),  # long, but no structure
    ],
)
def test_a_string_without_a_lossless_view_stays_as_it_is(text: str) -> None:
    assert views.view(text) is text


def test_normalise_shows_a_long_list_split() -> None:
    files = ",".join(f"s3://bucket/{'k' * 80}/{n}.py" for n in range(3))
    text = normalise({"resource": {"args": files}})
    assert json.loads(text)["resource"]["args"] == {"(split ',')": files.split(",")}
