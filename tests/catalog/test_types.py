"""Parsing and normalisation of catalog column types (silolake.catalog.types)."""

from __future__ import annotations

import re

import pytest

from silolake.catalog.types import (
    SUPPORTED_TYPES_HELP,
    ArrayType,
    MapType,
    Primitive,
    StructType,
    TypeSyntaxError,
    glue_type,
    is_primitive,
    parse_type,
)

SIMPLE = ["boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "date", "timestamp"]


@pytest.mark.parametrize("name", SIMPLE)
def test_every_simple_primitive(name: str) -> None:
    t = parse_type(name)
    assert t == Primitive(name)
    assert t.glue() == name
    assert is_primitive(t)


@pytest.mark.parametrize("name", SIMPLE)
def test_primitives_are_case_and_whitespace_insensitive(name: str) -> None:
    assert glue_type(f"  {name.upper()}\t") == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [("integer", "int"), ("INTEGER", "int"), ("Int", "int")],
)
def test_aliases(text: str, expected: str) -> None:
    assert glue_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("decimal", "decimal(10,0)"),
        ("DECIMAL", "decimal(10,0)"),
        ("decimal(5)", "decimal(5,0)"),
        ("decimal(1,0)", "decimal(1,0)"),
        ("decimal(1,1)", "decimal(1,1)"),
        ("decimal(38,0)", "decimal(38,0)"),
        ("decimal(38,38)", "decimal(38,38)"),
        ("decimal( 12 , 2 )", "decimal(12,2)"),
        ("decimal (12,2)", "decimal(12,2)"),
    ],
)
def test_decimal_valid(text: str, expected: str) -> None:
    assert glue_type(text) == expected


def test_bare_decimal_params() -> None:
    assert parse_type("decimal") == Primitive("decimal", (10, 0))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("decimal(0)", "decimal precision must be 1..38, got 0"),
        ("decimal(39)", "decimal precision must be 1..38, got 39"),
        ("decimal(40,2)", "decimal precision must be 1..38, got 40"),
        ("decimal(5,6)", "decimal scale must be 0..precision (5), got 6"),
        ("decimal(1,2,3)", "decimal takes (precision) or (precision,scale), got 3 parameters"),
        ("decimal()", "parameter must be a whole number, got ')'"),
        ("decimal(a)", "parameter must be a whole number, got 'a'"),
        ("decimal(-1)", "unexpected character '-'"),
        ("decimal(10", "unbalanced '('"),
        ("decimal(" + "9" * 5000 + ")", "parameter 999999999999... is too large"),
    ],
)
def test_decimal_invalid(text: str, message: str) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(message)):
        parse_type(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("char(1)", "char(1)"),
        ("char(255)", "char(255)"),
        ("CHAR( 10 )", "char(10)"),
        ("varchar(1)", "varchar(1)"),
        ("varchar(65535)", "varchar(65535)"),
        ("VarChar(20)", "varchar(20)"),
    ],
)
def test_char_varchar_valid(text: str, expected: str) -> None:
    t = parse_type(text)
    assert t.glue() == expected
    assert is_primitive(t)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("char(0)", "char length must be 1..255, got 0"),
        ("char(256)", "char length must be 1..255, got 256"),
        ("varchar(0)", "varchar length must be 1..65535, got 0"),
        ("varchar(65536)", "varchar length must be 1..65535, got 65536"),
        ("char", "char needs a length, e.g. char(10)"),
        ("varchar", "varchar needs a length, e.g. varchar(10)"),
        ("char(1,2)", "char takes one length, got 2 parameters"),
    ],
)
def test_char_varchar_invalid(text: str, message: str) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(message)):
        parse_type(text)


@pytest.mark.parametrize("name", SIMPLE)
def test_simple_types_take_no_parameters(name: str) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(f"type '{name}' takes no parameters")):
        parse_type(f"{name}(3)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("array<int>", ArrayType(Primitive("int"))),
        ("map<string,bigint>", MapType(Primitive("string"), Primitive("bigint"))),
        ("struct<a:int>", StructType((("a", Primitive("int")),))),
        (
            "struct<a:int,b:array<string>>",
            StructType((("a", Primitive("int")), ("b", ArrayType(Primitive("string"))))),
        ),
        (
            "map<decimal(5,2),struct<x:date>>",
            MapType(Primitive("decimal", (5, 2)), StructType((("x", Primitive("date")),))),
        ),
    ],
)
def test_complex_structure(text: str, expected: object) -> None:
    t = parse_type(text)
    assert t == expected
    assert not is_primitive(t)
    assert t.glue() == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Array< Struct<a : INT, b:decimal(12, 2)> >", "array<struct<a:int,b:decimal(12,2)>>"),
        ("MAP < STRING , ARRAY<INTEGER> >", "map<string,array<int>>"),
        ("struct<Id:bigint, UserName:varchar(64)>", "struct<id:bigint,username:varchar(64)>"),
        ("struct<_a1:int,b_2:string>", "struct<_a1:int,b_2:string>"),
        ("array<array<array<double>>>", "array<array<array<double>>>"),
        (
            "array<map<string,struct<a:array<struct<b:map<int,decimal>>>>>>",
            "array<map<string,struct<a:array<struct<b:map<int,decimal(10,0)>>>>>>",
        ),
        ("\n array<\tint\n>\n", "array<int>"),
        # field names may spell type keywords
        ("struct<int:int,array:string,struct:date>", "struct<int:int,array:string,struct:date>"),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert glue_type(text) == expected
    # canonical output is a fixed point
    assert glue_type(expected) == expected


def test_str_is_glue() -> None:
    assert str(parse_type("ARRAY<INT>")) == "array<int>"


def test_depth_limit() -> None:
    ok = "array<" * 10 + "int" + ">" * 10
    assert glue_type(ok) == ok
    too_deep = "array<" * 11 + "int" + ">" * 11
    with pytest.raises(TypeSyntaxError, match="nested deeper than 10 levels"):
        parse_type(too_deep)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("struct<a:int,A:string>", "duplicate struct field 'A'"),
        ("struct<x:int,y:int,x:int>", "duplicate struct field 'x'"),
        ("struct<>", "struct needs at least one field"),
        ("struct<a:int,>", "expected a struct field name but found '>'"),
        ("struct<1a:int>", "expected a struct field name but found '1'"),
        ("struct<a-b:int>", "unexpected character '-'"),
        ("struct<a int>", "expected ':' but found 'int'"),
        ("struct<a:>", "expected a type but found '>'"),
    ],
)
def test_struct_errors(text: str, message: str) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(message)):
        parse_type(text)


@pytest.mark.parametrize(
    "text",
    ["map<array<int>,string>", "map<map<string,int>,int>", "map<struct<a:int>,int>"],
)
def test_map_key_must_be_primitive(text: str) -> None:
    with pytest.raises(TypeSyntaxError, match="map key must be a primitive type"):
        parse_type(text)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("array<int", "unbalanced '<'", 5),
        ("map<string,array<int>", "unbalanced '<'", 3),
        ("struct<a:int", "unbalanced '<'", 6),
        ("array<int>>", "unbalanced '>'", 10),
        ("int>", "unbalanced '>'", 3),
        ("decimal(10,2))", "unbalanced ')'", 13),
        ("array", "array needs its element type(s) in '<...>'", 0),
        ("map", "map needs its element type(s) in '<...>'", 0),
        ("array<>", "expected a type but found '>'", 6),
        ("array<", "unexpected end of type, expected a type", 6),
        ("struct<a:", "unexpected end of type, expected a type", 9),
        ("array<int,string>", "expected '>' but found ','", 9),
        ("map<string>", "expected ',' but found '>'", 10),
        ("int,x", "trailing text ',x' after type", 3),
        ("int x", "trailing text 'x' after type", 4),
        ("array<int> extra", "trailing text 'extra' after type", 11),
        ("<int>", "expected a type but found '<'", 0),
        ("int$", "trailing text '$' after type", 3),
        ("array<int$>", "unexpected character '$'", 9),
    ],
)
def test_syntax_errors_name_fragment_and_position(text: str, message: str, position: int) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(message)) as err:
        parse_type(text)
    assert err.value.position == position
    assert err.value.text == text
    assert f"at position {position} of {text!r}" in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty(text: str) -> None:
    with pytest.raises(TypeSyntaxError, match="empty column type") as err:
        parse_type(text)
    assert SUPPORTED_TYPES_HELP in str(err.value)


@pytest.mark.parametrize("value", [None, 5, ["int"]])
def test_non_string(value: object) -> None:
    with pytest.raises(TypeSyntaxError, match="column type must be a string"):
        parse_type(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("strng", "string"),
        ("STRNG", "string"),
        ("integr", "integer"),
        ("bigin", "bigint"),
        ("timestmp", "timestamp"),
        ("boolen", "boolean"),
        ("dobule", "double"),
        ("decimel(10,2)", "decimal"),
        ("arry<int>", "array"),
        ("strcut<a:int>", "struct"),
        ("array<strng>", "string"),
        ("struct<a:itn>", "int"),
        # common names from other dialects that Hive/Glue reject
        ("long", "bigint"),
        ("bool", "boolean"),
        ("text", "string"),
        ("datetime", "timestamp"),
        ("list<int>", "array"),
    ],
)
def test_unknown_type_suggestions(text: str, suggestion: str) -> None:
    with pytest.raises(TypeSyntaxError, match=re.escape(f"(did you mean '{suggestion}'?)")) as err:
        parse_type(text)
    assert str(err.value).startswith("unknown type ")


def test_unknown_type_without_close_match_lists_supported_types() -> None:
    with pytest.raises(TypeSyntaxError) as err:
        parse_type("qqqqqq")
    msg = str(err.value)
    assert msg.startswith("unknown type 'qqqqqq'")
    assert "did you mean" not in msg
    assert SUPPORTED_TYPES_HELP in msg


def test_type_syntax_error_is_value_error() -> None:
    assert issubclass(TypeSyntaxError, ValueError)


def test_is_primitive_accepts_strings() -> None:
    assert is_primitive("varchar(3)")
    assert not is_primitive("array<int>")


def test_types_are_frozen_and_hashable() -> None:
    t = parse_type("struct<a:array<int>,b:map<string,int>>")
    assert hash(t) == hash(parse_type("STRUCT<A:ARRAY<INT>, B:MAP<STRING,INT>>"))
    with pytest.raises(AttributeError):
        t.fields = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    "form",
    [
        "boolean",
        "tinyint",
        "smallint",
        "int",
        "integer",
        "bigint",
        "float",
        "double",
        "string",
        "binary",
        "date",
        "timestamp",
        "char(n)",
        "varchar(n)",
        "decimal",
        "array<T>",
        "map<K,V>",
        "struct<",
    ],
)
def test_help_lists_every_form(form: str) -> None:
    assert form in SUPPORTED_TYPES_HELP
