"""Validation of ``quality`` rules: every mistake located at its key, with the fix; the model
the job receives (canonical values, the regex's Java form); the regex subset's refusals."""

# ruff: noqa: E501 - the catalog text and the exact messages read best one per line

from __future__ import annotations

import re
from pathlib import Path

import pytest

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.quality import rules
from silolake.catalog.quality_regex import RegexRefused, java_regex

MINIMAL = (Path(__file__).parent / "minimal.yaml").read_text()
ORDERS_RULES = "        quality:\n          - {check: not_null, column: order_id, on_failure: fail}\n          - {check: not_null, column: order_id, on_failure: fail}\n          - {check: range, column: tags, min: 5, max: 1, on_failure: warn}\n          - {check: allowed_values, column: amount, values: [1.5, 2.555, x, 1.50], on_failure: warn}\n          - {check: pattern, column: order_id, regex: '^\\d+$', on_failure: warn}\n          - {check: pattern, column: amount, regex: '[a-', on_failure: fail}\n          - {check: unique, columns: [order_id, ingest_date], on_failure: fail}\n          - {check: min_rows, count: 0, on_failure: fail}\n          - {check: not_null, column: amout, min: 1, on_failure: fail}\n          - {check: range, column: amount, on_failure: fail}\n          - {check: allowed_values, column: tags, values: [a], on_failure: fail}\n          - {check: not_null, on_failure: warn}\n          - {check: range, column: amount, min: .nan, on_failure: warn}\n"
REPORTS = "        source: sftp\n        format: csv\n        columns:\n          - {name: report_id, type: string}\n          - {name: day, type: date}\n          - {name: n, type: tinyint}\n          - {name: ok, type: boolean}\n        partition_by: [day]\n        quality:\n          - {check: unique, columns: [report_id, day], on_failure: fail}\n          - {check: allowed_values, column: day, values: ['2024-05-01', 2024-05-02, '2024-02-30'], on_failure: warn}\n          - {check: allowed_values, column: n, values: [127, 128, true], on_failure: warn}\n          - {check: allowed_values, column: ok, values: [true, 'yes'], on_failure: warn}\n          - {check: allowed_values, column: report_id, values: [1], on_failure: warn}\n"
EXPECTED = [
    "silos.yaml:38:13: silos[0].flows[0].quality[1]: duplicate rule: quality[0] already checks not_null of the same column(s) with on_failure fail; keep one rule per check, column(s) and on_failure",
    "silos.yaml:39:36: silos[0].flows[0].quality[2].column: range needs a numeric column, but 'tags' is array<string>; use allowed_values or pattern",
    "silos.yaml:39:47: silos[0].flows[0].quality[2].min: min 5 is greater than max 1; swap them",
    "silos.yaml:40:67: silos[0].flows[0].quality[3].values[1]: 2.555 is not a decimal(12,2) value; write numbers that fit decimal(12,2) without rounding",
    "silos.yaml:40:74: silos[0].flows[0].quality[3].values[2]: 'x' is not a decimal(12,2) value; write numbers that fit decimal(12,2) without rounding",
    "silos.yaml:40:77: silos[0].flows[0].quality[3].values[3]: 1.5 repeats values[0]; remove it",
    "silos.yaml:41:55: silos[0].flows[0].quality[4].regex: \\d (Unicode-aware in Python, ASCII-only in Java) at position 1 is outside the regex subset Python and Java read alike (docs/etl.md); write [0-9] instead",
    "silos.yaml:42:38: silos[0].flows[0].quality[5].column: pattern needs a string column, but 'amount' is decimal(12,2); use range or allowed_values",
    "silos.yaml:42:53: silos[0].flows[0].quality[5].regex: not a valid regular expression: unterminated character set at position 0",
    "silos.yaml:43:49: silos[0].flows[0].quality[6].columns[1]: 'ingest_date' is not a declared column (ingest_date is the built-in arrival date, always present; rules check record columns)",
    "silos.yaml:44:38: silos[0].flows[0].quality[7].count: must be at least 1, got 0",
    "silos.yaml:45:39: silos[0].flows[0].quality[8].column: 'amout' is not a declared column (did you mean 'amount'?)",
    "silos.yaml:45:51: silos[0].flows[0].quality[8].min: 'min' does not apply to check not_null (it takes column); remove it",
    "silos.yaml:46:13: silos[0].flows[0].quality[9]: check range needs min or max",
    "silos.yaml:47:45: silos[0].flows[0].quality[10].column: allowed_values cannot check 'tags' of type array<string> (exact comparison needs a string, integer, decimal, boolean or date column)",
    "silos.yaml:48:13: silos[0].flows[0].quality[11]: check not_null needs column",
    "silos.yaml:49:49: silos[0].flows[0].quality[12].min: min must be a finite number of at most 38 digits, got nan",
    "silos.yaml:60:50: silos[0].flows[1].quality[0].columns[1]: 'day' is a partition column (partition_by): a file's rows share few of its values, so uniqueness over it means nothing; list the columns that identify a record",
    "silos.yaml:61:85: silos[0].flows[1].quality[1].values[2]: '2024-02-30' is not a date value; write dates as 'YYYY-MM-DD'",
    "silos.yaml:62:62: silos[0].flows[1].quality[2].values[1]: 128 is not a tinyint value; write whole numbers within the range of tinyint",
    "silos.yaml:62:67: silos[0].flows[1].quality[2].values[2]: true is not a tinyint value; write whole numbers within the range of tinyint",
    "silos.yaml:63:64: silos[0].flows[1].quality[3].values[1]: 'yes' is not a boolean value; write true or false",
    "silos.yaml:64:65: silos[0].flows[1].quality[4].values[0]: 1 is not a string value; write quoted strings",
]


def _problems(text: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(folder)
    Path("silos.yaml").write_text(text)
    try:
        load_catalog("silos.yaml")
    except CatalogError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_every_quality_mistake_is_located_with_its_fix(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = MINIMAL.replace("        schedule: rate(1 hour)\n", "        schedule: rate(1 hour)\n" + ORDERS_RULES, 1)
    start = text.index("      - name: reports\n") + len("      - name: reports\n")
    end = text.index("  - name: hr")
    text = text[:start] + REPORTS + text[end:]
    assert _problems(text, catalog_dir, monkeypatch) == EXPECTED


def test_rules_on_a_custom_job_are_refused(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path(catalog_dir, "glue_src", "job.py").write_text("")
    rule = "        quality: [{check: min_rows, count: 1, on_failure: fail}]\n        job: glue_src/job.py\n"
    text = MINIMAL.replace("        schedule: rate(1 hour)\n", "        schedule: rate(1 hour)\n" + rule, 1)
    assert _problems(text, catalog_dir, monkeypatch) == [
        "silos.yaml:36:18: silos[0].flows[0].quality: quality rules run in the default conform job; "
        "a custom job must check its own data"
    ]


def test_a_rule_on_a_column_close_to_no_declared_one_says_it_is_not_among_them(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column removed or renamed in this edit is named by its rule: no far-fetched "did you
    mean 'order_id'?" for 'order_date' (difflib's default cutoff 0.6 offered it), but the
    flow's columns and the fix, located at the rule's column."""
    rule = "        quality: [{check: not_null, column: order_date, on_failure: fail}]\n"
    text = MINIMAL.replace("        schedule: rate(1 hour)\n", "        schedule: rate(1 hour)\n" + rule, 1)
    assert _problems(text, catalog_dir, monkeypatch) == [
        "silos.yaml:36:45: silos[0].flows[0].quality[0].column: 'order_date' is not among the flow's columns "
        "(order_id, amount, tags): if it was removed or renamed, update or remove this rule"
    ]


def test_the_model_carries_canonical_values_and_the_java_form() -> None:
    raw = [
        {"check": "allowed_values", "column": "amount", "values": [1.5, 2, 0.1], "on_failure": "warn"},
        {"check": "range", "column": "amount", "min": 0.1, "max": 1000000, "on_failure": "fail"},
        {"check": "pattern", "column": "code", "regex": "^a.b$", "on_failure": "warn"},
        {"check": "unique", "columns": ["code", "amount"], "on_failure": "fail"},
        {"check": "min_rows", "count": 5, "on_failure": "fail"},
    ]
    built = rules(raw, {"amount": "decimal(12,2)", "code": "string"})
    assert [r.name for r in built] == [
        "allowed_values(amount)",
        "range(amount)",
        "pattern(code)",
        "unique(code,amount)",
        "min_rows",
    ]
    assert [r.spec() for r in built] == [
        {"check": "allowed_values", "on_failure": "warn", "columns": ["amount"], "values": ["1.5", "2", "0.1"]},
        {"check": "range", "on_failure": "fail", "columns": ["amount"], "min": "0.1", "max": "1000000"},
        {
            "check": "pattern",
            "on_failure": "warn",
            "columns": ["code"],
            "regex": "^a.b$",
            "java_regex": "^a[^\\n]b(?=\\n?\\z)",
        },
        {"check": "unique", "on_failure": "fail", "columns": ["code", "amount"]},
        {"check": "min_rows", "on_failure": "fail", "columns": [], "count": 5},
    ]


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("\\w+", "\\w (Unicode-aware in Python, ASCII-only in Java)"),
        ("\\bword", "\\b (Unicode-aware in Python, ASCII-only in Java)"),
        ("[a[b]]", "'[' inside a class (a nested class in Java)"),
        ("[a-z&&[^q]]", "not a valid regular expression: Possible set intersection"),  # Python warns too
        ("[a&&b]", "not a valid regular expression: Possible set intersection"),
        ("a{b", "'{' that is not a quantifier"),
        ("a{,3}", "'{' that is not a quantifier"),
        ("a}", "a lone '}'"),
        ("a]", "a lone ']'"),
        ("a*+", "a possessive quantifier"),
        ("(a)\\1", "the back-reference \\1"),
        ("(?P<x>a)", "the group '(?P<'"),
        ("(?<=a)b", "the group '(?<='"),
        ("(?i)abc", "the group '(?i)'"),
        ("\\Aabc", "the escape \\A"),
        ("\\x41", "the escape \\x"),
        ("(", "not a valid regular expression"),
    ],
)
def test_constructs_the_engines_read_differently_are_refused(pattern: str, refused: str) -> None:
    with pytest.raises(RegexRefused, match="^" + re.escape(refused)):
        java_regex(pattern)


def test_shared_constructs_pass_through() -> None:
    assert java_regex("^(?:[A-Z]{2}|x)-[0-9]{1,4}?\\.\\$%$") == "^(?:[A-Z]{2}|x)-[0-9]{1,4}?\\.\\$%(?=\\n?\\z)"
    assert java_regex("[.$^]\\n\\t") == "[.$^]\\n\\t"  # inside a class . and $ are literal in both
