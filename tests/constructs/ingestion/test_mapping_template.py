"""The ingestion API's request models and Velocity mapping templates, without AWS.

``render`` is a deliberately small Velocity evaluator for exactly the constructs the
templates use (``#set``, ``#foreach``, ``#if``, references with property and method
calls, single- and double-quoted strings) plus API Gateway's ``$input`` and ``$util``.
It is strict where Velocity is lenient: an unknown reference or a map rendered as text
raises, so a template that would send ``{a=1}`` (a Java map) to Firehose fails here.
"""

from __future__ import annotations

import base64
import json
import re

import jsonschema
import pytest

from silolake.constructs.ingestion import templates as tpl

STREAM = "acme-sales-orders"
ORDER = {
    "order_id": "o-1",
    "customer_id": "c-9",
    "amount": "12.50",
    "currency": "EUR",
    "ordered_at": "2026-05-01 10:00:00",
    "lines": [{"sku": "A-1", "qty": 2, "unit_price": "6.25"}],
}


# --- a minimal Velocity (VTL 1.7) evaluator --------------------------------------------

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class _Parser:
    def __init__(self, text: str, directives: bool = True) -> None:
        self.s, self.i, self.directives = text, 0, directives

    def nodes(self, until_end: bool = False) -> list:
        out: list = []
        while self.i < len(self.s):
            if self.directives and self.s.startswith("#end", self.i):
                if not until_end:
                    raise SyntaxError(f"unbalanced #end at {self.i}")
                self._directive_done(len("#end"))
                return out
            if self.directives and self.s.startswith(("#set(", "#foreach(", "#if("), self.i):
                out.append(self._directive())
            elif self.s[self.i] == "$" and _IDENT.match(self.s, self.i + 1):
                out.append(("ref", self._reference()))
            else:
                out.append(("text", self.s[self.i]))
                self.i += 1
        if until_end:
            raise SyntaxError("missing #end")
        return out

    def _directive_done(self, length: int) -> None:
        # Velocity drops the newline after a directive that stands alone on its line.
        line_start = self.s.rfind("\n", 0, self.i) + 1
        alone = self.s[line_start : self.i].strip() == ""
        self.i += length
        if alone and self.s.startswith("\n", self.i):
            self.i += 1

    def _directive(self) -> tuple:
        name = self.s[self.i + 1 : self.s.index("(", self.i)]
        start = self.i
        self.i = self.s.index("(", self.i) + 1
        if name == "set":
            var = self._variable()
            self._expect("=")
            expr = self._expression()
            self._expect(")")
            self._rewind_done(start)
            return ("set", var, expr)
        if name == "foreach":
            var = self._variable()
            self._expect("in")
            expr = self._expression()
            self._expect(")")
            self._rewind_done(start)
            return ("foreach", var, expr, self.nodes(until_end=True))
        expr = self._expression()
        self._expect(")")
        self._rewind_done(start)
        return ("if", expr, self.nodes(until_end=True))

    def _rewind_done(self, start: int) -> None:
        end, self.i = self.i, start
        self._directive_done(end - start)

    def _skip_space(self) -> None:
        while self.s[self.i] == " ":
            self.i += 1

    def _expect(self, token: str) -> None:
        self._skip_space()
        if not self.s.startswith(token, self.i):
            raise SyntaxError(f"expected {token!r} at {self.i}: {self.s[self.i : self.i + 20]!r}")
        self.i += len(token)

    def _variable(self) -> str:
        self._expect("$")
        name = _IDENT.match(self.s, self.i).group()
        self.i += len(name)
        return name

    def _expression(self):
        self._skip_space()
        c = self.s[self.i]
        if c in "'\"":
            end = self.s.index(c, self.i + 1)  # VTL 1.7 has no escapes in literals
            body = self.s[self.i + 1 : end]
            self.i = end + 1
            return ("literal", body) if c == "'" else ("interpolated", _Parser(body, directives=False).nodes())
        if c == "$":
            return self._reference()
        raise SyntaxError(f"unsupported expression at {self.i}: {self.s[self.i : self.i + 20]!r}")

    def _reference(self) -> tuple:
        self.i += 1
        name = _IDENT.match(self.s, self.i).group()
        self.i += len(name)
        parts: list = []
        while self.s.startswith(".", self.i) and _IDENT.match(self.s, self.i + 1):
            member = _IDENT.match(self.s, self.i + 1).group()
            self.i += 1 + len(member)
            if self.s.startswith("(", self.i):
                self.i += 1
                args = []
                self._skip_space()
                while not self.s.startswith(")", self.i):
                    args.append(self._expression())
                    self._skip_space()
                    if self.s.startswith(",", self.i):
                        self.i += 1
                self.i += 1
                parts.append(("call", member, args))
            else:
                parts.append(("get", member))
        return ("reference", name, parts)


def _json_path(doc, path: str):
    if not path.startswith("$"):
        raise ValueError(f"unsupported JSONPath {path!r}")
    value = doc
    for key, index in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path[1:]):
        value = value[key] if key else value[int(index)]
    return value


class _Input:
    def __init__(self, body: dict) -> None:
        self.body = body

    def json(self, path: str) -> str:
        return json.dumps(_json_path(self.body, path), separators=(",", ":"), ensure_ascii=False)

    def path(self, path: str):
        return _json_path(self.body, path)


class _Util:
    @staticmethod
    def base64Encode(text: str) -> str:  # noqa: N802 (API Gateway's name)
        return base64.b64encode(text.encode("utf-8")).decode()

    @staticmethod
    def base64Decode(text: str) -> str:  # noqa: N802
        return base64.b64decode(text).decode("utf-8")


class _Foreach:
    def __init__(self, index: int, total: int) -> None:
        self.index, self.hasNext = index, index + 1 < total


def _value(expr, ctx: dict):
    kind = expr[0]
    if kind == "literal":
        return expr[1]
    if kind == "interpolated":
        return _render_nodes(expr[1], ctx)
    _, name, parts = expr
    if name not in ctx:
        raise NameError(f"unknown reference ${name}")
    value = ctx[name]
    for part in parts:
        if part[0] == "call":
            value = getattr(value, part[1])(*(_value(a, ctx) for a in part[2]))
        else:
            value = value[part[1]] if isinstance(value, dict) else getattr(value, part[1])
    return value


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise TypeError(f"rendering a {type(value).__name__} as text gives Java's toString, not JSON: {value!r}")


def _render_nodes(nodes: list, ctx: dict) -> str:
    out = []
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "ref":
            out.append(_text(_value(node[1], ctx)))
        elif kind == "set":
            ctx[node[1]] = _value(node[2], ctx)
        elif kind == "foreach":
            items = list(_value(node[2], ctx))
            saved = ctx.get("foreach")
            for i, item in enumerate(items):
                ctx[node[1]], ctx["foreach"] = item, _Foreach(i, len(items))
                out.append(_render_nodes(node[3], ctx))
            ctx["foreach"] = saved
        elif kind == "if" and _value(node[1], ctx):
            out.append(_render_nodes(node[2], ctx))
    return "".join(out)


def render(template: str, body: dict) -> str:
    """Render an API Gateway request template for a JSON request ``body``."""
    return _render_nodes(_Parser(template).nodes(), {"input": _Input(body), "util": _Util()})


def decoded(blob: str) -> str:
    return base64.b64decode(blob, validate=True).decode("utf-8")


# --- the evaluator itself must be able to fail --------------------------------------------


def test_evaluator_refuses_to_render_a_map_as_text():
    with pytest.raises(TypeError, match="toString"):
        render("$input.path('$.record')", {"record": ORDER})


def test_evaluator_keeps_backslash_n_literal_like_velocity():
    # The trap the templates avoid: VTL string literals have no escape sequences.
    out = render('#set($x = "a\\n")$util.base64Encode($x)', {})
    assert decoded(out) == "a\\n"


# --- templates ----------------------------------------------------------------------------


def test_put_record_template_exact_text():
    assert tpl.put_record_template(STREAM) == (
        '#set($nl = $util.base64Decode("Cg=="))\n'
        "#set($data = \"$input.json('$.record')$nl\")\n"
        '{"DeliveryStreamName":"acme-sales-orders","Record":{"Data":"$util.base64Encode($data)"}}\n'
    )


def test_put_record_batch_template_exact_text():
    assert tpl.put_record_batch_template(STREAM) == (
        '#set($nl = $util.base64Decode("Cg=="))\n'
        '{"DeliveryStreamName":"acme-sales-orders","Records":[\n'
        "#foreach($record in $input.path('$.records'))\n"
        '#set($path = "$.records[$foreach.index]")\n'
        '#set($data = "$input.json($path)$nl")\n'
        '{"Data":"$util.base64Encode($data)"}#if($foreach.hasNext),#end\n'
        "#end\n"
        "]}\n"
    )


def test_templates_never_rely_on_backslash_escapes():
    for template in (tpl.put_record_template(STREAM), tpl.put_record_batch_template(STREAM)):
        assert "\\" not in template


def test_put_record_renders_the_exact_firehose_request():
    request = json.loads(render(tpl.put_record_template(STREAM), {"record": ORDER}))
    expected_data = base64.b64encode((json.dumps(ORDER, separators=(",", ":")) + "\n").encode()).decode()
    assert request == {"DeliveryStreamName": STREAM, "Record": {"Data": expected_data}}
    assert decoded(request["Record"]["Data"]).endswith("}\n")
    assert json.loads(decoded(request["Record"]["Data"])) == ORDER


@pytest.mark.parametrize("count", [1, 2, 5])
def test_put_record_batch_renders_each_record_in_order(count):
    records = [dict(ORDER, order_id=f"o-{i}") for i in range(count)]
    request = json.loads(render(tpl.put_record_batch_template(STREAM), {"records": records}))
    assert set(request) == {"DeliveryStreamName", "Records"}
    assert request["DeliveryStreamName"] == STREAM
    assert [set(r) for r in request["Records"]] == [{"Data"}] * count
    blobs = [decoded(r["Data"]) for r in request["Records"]]
    assert all(b.endswith("\n") and b.count("\n") == 1 for b in blobs)
    assert [json.loads(b) for b in blobs] == records


def test_non_ascii_record_survives_as_utf8():
    record = {"order_id": "ö-ß-€", "customer_id": "日本"}
    request = json.loads(render(tpl.put_record_template(STREAM), {"record": record}))
    assert json.loads(decoded(request["Record"]["Data"])) == record


def test_stream_name_is_quoted_json():
    assert '"DeliveryStreamName":"acme-x-y_z.1"' in tpl.put_record_template("acme-x-y_z.1")


# --- request models (API Gateway validates with JSON Schema draft 4) ----------------------

GOOD_SINGLE = [{"record": ORDER}, {"record": {"a": 1}}]
BAD_SINGLE = [
    {},  # no record
    {"record": {}},  # empty record
    {"record": "text"},
    {"record": [ORDER]},
    {"record": ORDER, "extra": 1},
    {"records": [ORDER]},  # batch envelope on the single endpoint
]
GOOD_BATCH = [{"records": [ORDER]}, {"records": [ORDER] * tpl.BATCH_MAX_RECORDS}]
BAD_BATCH = [
    {},
    {"records": []},
    {"records": [ORDER] * (tpl.BATCH_MAX_RECORDS + 1)},
    {"records": ORDER},
    {"records": [ORDER, "text"]},
    {"records": [ORDER, {}]},
    {"records": [ORDER], "record": ORDER},
]


def test_models_are_valid_draft4_and_render_stably():
    for model in (tpl.record_model(), tpl.batch_model()):
        jsonschema.Draft4Validator.check_schema(model)
        assert json.loads(tpl.render_model(model)) == model
        assert tpl.render_model(model) == tpl.render_model(json.loads(tpl.render_model(model)))


@pytest.mark.parametrize("body", GOOD_SINGLE)
def test_single_model_accepts(body):
    jsonschema.Draft4Validator(tpl.record_model()).validate(body)


@pytest.mark.parametrize("body", BAD_SINGLE)
def test_single_model_rejects(body):
    assert not jsonschema.Draft4Validator(tpl.record_model()).is_valid(body)


@pytest.mark.parametrize("body", GOOD_BATCH)
def test_batch_model_accepts(body):
    jsonschema.Draft4Validator(tpl.batch_model()).validate(body)


@pytest.mark.parametrize("body", BAD_BATCH)
def test_batch_model_rejects(body):
    assert not jsonschema.Draft4Validator(tpl.batch_model()).is_valid(body)


def test_batch_limit_matches_firehose():
    assert tpl.batch_model()["properties"]["records"]["maxItems"] == tpl.BATCH_MAX_RECORDS == 500
    assert tpl.ACTIONS == {"records": "PutRecord", "batch": "PutRecordBatch"}


def test_access_log_format_is_one_json_object():
    fields = json.loads(tpl.ACCESS_LOG_FORMAT)
    assert {"requestId", "userArn", "status", "integrationStatus", "resourcePath"} <= set(fields)
    assert all(v.startswith("$context.") for v in fields.values())


def test_templates_survive_terraform_json_strings():
    """Terraform interpolates ``${...}`` and ``%{...}`` inside JSON strings: none may occur."""
    texts = [
        tpl.put_record_template(STREAM),
        tpl.put_record_batch_template(STREAM),
        tpl.ACCESS_LOG_FORMAT,
        tpl.BAD_REQUEST_BODY_TEMPLATE,
        *tpl.SUCCESS_TEMPLATES.values(),
        *(b for _, _, b in tpl.ERROR_RESPONSES),
        tpl.render_model(tpl.record_model()),
        tpl.render_model(tpl.batch_model()),
    ]
    for text in texts:
        assert "${" not in text and "%{" not in text, text
