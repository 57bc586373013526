"""Text on its way into Terraform JSON: escaped here, once, so Terraform reads it literally.

This module is the only place silolake escapes Terraform template syntax; nothing else
writes ``$${`` or ``%%{``. Two kinds of text come through it, each exactly once:

- catalog text, by :func:`terraform_view` (below);
- the policy documents silolake builds (IAM, bucket, key, SCP), by
  :func:`silolake.policy.render` through :func:`literal_except_tokens`: an IAM policy
  variable (``${aws:PrincipalTag/...}``, ``${aws:PrincipalAccount}``) reaches AWS
  literally, while cdktf tokens (which become Terraform references at synthesis) stay live.

Terraform reads every string of a ``.tf.json`` file as a template: ``${...}`` is an
interpolation and ``%{...}`` a directive. A column comment ``amount in ${currency}`` or a
tag value with ``%{`` would otherwise be evaluated (``Invalid reference``, or worse, a
valid one). Rather than escaping at each construct, :func:`terraform_view` returns the
catalog with *every* string escaped and :func:`silolake.stacks.build_app` builds the stacks
from that view only; the validated model itself stays raw for everything else (bootstrap
matches e-mails and OU names against AWS, validation measures lengths).

Escaping cannot change a name: every name silolake derives is built from values whose
schema pattern excludes ``$`` and ``%`` (slugs, flow and column names, regions, ids), so
the view differs from the model only in free text (comments, tag values, e-mails, OU
names). Terraform's own references (``${aws_s3_bucket.x.arn}``) come from cdktf tokens,
which are resolved after this view and are never escaped.
https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from ..errors import SilolakeError

T = TypeVar("T")


def literal(text: str) -> str:
    """``text`` as a Terraform template that evaluates to ``text`` (``${`` -> ``$${``, ``%{`` -> ``%%{``)."""
    return text.replace("${", "$${").replace("%{", "%%{")


#: A cdktf string token (``${TfToken[TOKEN.12]}``): the engine replaces it with a Terraform
#: expression (``${aws_kms_key.x.arn}``) when it synthesizes the stack.
_TOKEN = re.compile(r"(\$\{TfToken\[[^\]\s]*\]\})")


class AlreadyEscapedError(SilolakeError, ValueError):
    """Text that already holds a Terraform escape was about to be escaped again."""


def literal_except_tokens(text: str) -> str:
    """``text`` as a Terraform template: literal (:func:`literal`) except its cdktf tokens.

    For text silolake writes itself (a rendered policy document), never for catalog text:
    that is escaped by :func:`terraform_view` already. Text that holds an escape (``$${``,
    ``%%{``) is refused rather than escaped a second time, which Terraform would deliver
    as ``$${...}`` (a literal ``$`` before the IAM policy variable).
    """
    if "$${" in text or "%%{" in text:
        raise AlreadyEscapedError(f"text is already escaped for Terraform: {text[:200]!r}")
    parts = _TOKEN.split(text)
    return "".join(part if i % 2 else literal(part) for i, part in enumerate(parts))


def unescape(template: str) -> str:
    """Inverse of :func:`literal` for a template without interpolations (tests, messages)."""
    return template.replace("$${", "${").replace("%%{", "%{")


def terraform_view(value: T) -> T:
    """A copy of ``value`` (the catalog model, or any part of it) with every string escaped.

    Walks frozen dataclasses, tuples, lists and dicts (keys too: tag keys become map keys,
    which Terraform's JSON syntax also reads as templates); other values are kept as they are.
    """
    return _view(value)


def _view(value: Any) -> Any:
    if isinstance(value, str):
        return literal(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _view(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_view(v) for v in value)
    if isinstance(value, list):
        return [_view(v) for v in value]
    if isinstance(value, dict):
        return {_view(k): _view(v) for k, v in value.items()}
    return value
