"""Reading YAML into data plus positions (silolake.catalog.source).

Every way a file can fail to be a catalog must end as a located :class:`CatalogError`
(one line per problem), never as a parser exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from silolake.catalog.errors import CatalogError
from silolake.catalog.source import parse_yaml, read_yaml


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogError) as info:
        parse_yaml(text, "c.yaml")
    return [str(p) for p in info.value.problems]


def test_positions_of_values_and_keys() -> None:
    doc = parse_yaml("a:\n  b: [x, {c: 1}]\n  d: e\n", "c.yaml")
    assert doc.data == {"a": {"b": ["x", {"c": 1}], "d": "e"}}
    assert doc.locate(("a", "b", 1, "c")) == (2, 14)
    assert doc.locate(("a", "b", 1, "c"), at_key=True) == (2, 11)
    assert doc.locate(("a", "d"), at_key=True) == (3, 3)
    # a path that does not exist falls back to its nearest existing parent
    assert doc.locate(("a", "b", 1, "missing", 3)) == (2, 10)
    assert doc.locate(("nothing",)) == (1, 1)


def test_problem_renders_file_line_col_path_message() -> None:
    doc = parse_yaml("silos:\n  - name: x\n", "silos.yaml")
    assert str(doc.problem(("silos", 0, "name"), "bad")) == "silos.yaml:2:11: silos[0].name: bad"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_document(text: str) -> None:
    assert problems_of(text) == [
        "c.yaml:1:1: (document): the catalog is empty; start from the example silos.yaml in the repository"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "a: [1, 2\n",
            "c.yaml:2:1: (document): YAML syntax error: did not find expected ',' or ']' "
            "(while parsing a flow sequence started on line 1)",
        ),
        ("a: b\n c: d\n", "c.yaml:2:3: (document): YAML syntax error: mapping values are not allowed in this context"),
        ("a: *nowhere\n", "c.yaml:1:4: (document): YAML syntax error: found undefined alias"),
        (
            "a: 1\n---\nb: 2\n",
            "c.yaml:2:1: (document): YAML syntax error: the catalog must be a single YAML "
            "document; remove the extra '---'",
        ),
        ("a:\n\t- b\n", "c.yaml:2:1: (document): YAML syntax error: a tab character; YAML indentation must use spaces"),
        (
            "a: !!python/object:os.system x\n",
            "c.yaml:1:4: (document): YAML syntax error: could not determine a "
            "constructor for the tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
        (
            "? [a]\n: b\n",
            "c.yaml:1:3: (document): YAML syntax error: found unhashable key "
            "(while constructing a mapping started on line 1)",
        ),
    ],
)
def test_yaml_syntax_errors_are_located(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize("char, line, col", [("\x00", 2, 4), ("\x07", 1, 1)])
def test_control_characters_give_one_located_line(char: str, line: int, col: int) -> None:
    text = f"a: 1\nb: {char}\n" if line == 2 else f"{char}a: 1\n"
    [problem] = problems_of(text)
    assert problem.startswith(f"c.yaml:{line}:{col}: (document): character ")
    assert f"#x{ord(char):04x}" in problem and "\n" not in problem


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    assert problems_of("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n") == [
        "c.yaml:4:3: b.c: duplicate key 'c' (first defined on line 3); YAML keeps only the last one, "
        "so merge the two entries",
        "c.yaml:5:1: a: duplicate key 'a' (first defined on line 1); YAML keeps only the last one, "
        "so merge the two entries",
    ]


def test_merge_key_overrides_are_not_duplicates() -> None:
    doc = parse_yaml("base: &b {source: api, format: json}\nflow:\n  <<: *b\n  source: sftp\n", "c.yaml")
    assert doc.data["flow"] == {"source": "sftp", "format": "json"}


def test_recursive_alias_is_rejected_not_a_recursion_error() -> None:
    # located at the anchored node that contains itself
    assert problems_of("a: &x\n  - *x\n") == [
        "c.yaml:1:4: a[0]: recursive YAML alias: this node contains itself; a catalog must be a finite tree"
    ]


def test_alias_bomb_is_rejected() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    [problem] = problems_of("\n".join(lines) + "\n")
    assert "expands to more than 1,000,000 nodes" in problem


def test_int_scalars_keep_their_source_text() -> None:
    doc = parse_yaml("a: 012345670123\nb: '7'\nc: 0x1F\n", "c.yaml")
    assert doc.data == {"a": 0o12345670123, "b": "7", "c": 31}
    assert doc.int_text == {("a",): "012345670123", ("c",): "0x1F"}


# -- reading files -------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        read_yaml(tmp_path / "nope.yaml", display_name="nope.yaml")
    assert [str(p) for p in info.value.problems] == ["nope.yaml:1:1: (document): file not found"]


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        read_yaml(tmp_path, display_name="dir")
    assert [str(p) for p in info.value.problems] == ["dir:1:1: (document): is a directory, expected a YAML file"]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"version: \xff\xfe\n")
    with pytest.raises(CatalogError) as info:
        read_yaml(path, display_name="bin.yaml")
    assert [str(p) for p in info.value.problems] == [
        "bin.yaml:1:10: (document): not UTF-8 text: byte 0xff (invalid start byte); save the file as UTF-8"
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\n")
    doc = read_yaml(path)
    assert doc.data == {"version": 1}
    assert doc.locate(("version",)) == (1, 10)


# -- the data built while indexing is what yaml.safe_load returns ---------------------------

SAFE_LOAD_CASES = [
    "a: &a {x: 1, y: [1, 2]}\nb:\n  <<: *a\n  y: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
    "x: &m {a: 1}\ny: [{<<: *m, b: 2}, {<<: *m}]\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n",
    "t: 2024-01-02\nu: 2024-01-02T03:04:05Z\nf: 1.5e3\ni: 0o17\nj: 017\nk: 0x1f\nn: ~\nb1: yes\nb2: Off\ninf: .inf\n",
    "1: a\nfalse: b\n~: c\n2.5: d\n",
    "a: &x hello\nb: *x\nc: [*x, *x]\n",
    "- a\n- [b, {c: d}]\n- !!str 12\n- !!int '12'\n",
    "a: |\n  text\n  more\nb: >-\n  folded\n",
]


@pytest.mark.parametrize("text", SAFE_LOAD_CASES)
def test_data_equals_safe_load(text: str) -> None:
    data = parse_yaml(text, "c.yaml").data
    expected = yaml.safe_load(text)
    assert data == expected and type(data) is type(expected)


def test_example_catalog_data_equals_safe_load() -> None:
    text = (Path(__file__).resolve().parents[2] / "silos.yaml").read_text()
    assert parse_yaml(text, "silos.yaml").data == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "a: 2024-13-01\n",
            "c.yaml:1:4: a: YAML reads '2024-13-01' as a timestamp but it is not a valid one "
            "(month must be in 1..12); quote it if it is meant as text",
        ),
        (
            "a:\n  2024-02-30: x\n",
            "c.yaml:2:3: a: YAML reads '2024-02-30' as a timestamp but it is not a valid one "
            "(day is out of range for month); quote it if it is meant as text",
        ),
    ],
)
def test_impossible_dates_are_located_not_a_crash(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]
