"""``silolake init`` in another partition than the commercial one (issue 23, a new user's
trial): in AWS GovCloud (US) the starter catalog validates (its first silo holds no flows,
with a comment saying why) and the workflows assume the plan roles by GovCloud ARNs; a region
of a refused partition is named by its option before anything is written, and a problem is
never located in init's staging copy."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from silolake.cli import main
from silolake.dev import init
from silolake.dev.init import Company, init_repository
from tests.day2.test_init_repository import ARGS


def _init(target: Path, region: str):
    args = list(ARGS)
    args[args.index("--region") + 1] = region
    return CliRunner().invoke(main, ["init", str(target), *args])


def test_govcloud_init_writes_a_catalog_that_validates(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = _init(lake, "us-gov-west-1")
    assert result.exit_code == 0, result.output
    catalog = (lake / "silos.yaml").read_text()
    assert "    flows: []\n" in catalog and "        source:" not in catalog
    assert "# No flows: in AWS GovCloud (US) every flow source" in catalog
    assert "connection:" not in catalog  # the commented pipeline shows the s3 source GovCloud takes
    checked = CliRunner().invoke(main, ["validate", str(lake / "silos.yaml")])
    assert checked.exit_code == 0, checked.output
    for workflow in ("plan.yml", "drift.yml"):
        text = (lake / ".github" / "workflows" / workflow).read_text()
        assert "role-to-assume: arn:aws-us-gov:iam::${{ matrix.stack.account_id }}:role/" in text
        assert "arn:aws:" not in text


def test_commercial_init_keeps_its_api_flow_and_arns(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    assert _init(lake, "eu-west-1").exit_code == 0
    assert "        source: api\n" in (lake / "silos.yaml").read_text()
    assert "role-to-assume: arn:aws:iam::" in (lake / ".github" / "workflows" / "plan.yml").read_text()


def test_a_refused_partition_is_named_by_its_option(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = _init(lake, "eusc-de-east-1")
    assert result.exit_code == 2, result.output
    assert "--region 'eusc-de-east-1' is in the aws-eusc partition, which silolake refuses" in result.output
    assert ".silolake-init" not in result.output and "Traceback" not in result.output
    assert not lake.exists()


def test_a_starter_catalog_problem_is_located_where_the_catalog_would_be(tmp_path: Path, monkeypatch) -> None:
    """A problem the options cause in the starter catalog cites ``DIR/silos.yaml``, not the
    staging copy init removes (here a template flow GovCloud refuses, as before the fix)."""
    monkeypatch.setattr(init, "_GOVCLOUD_FLOWS", init._API_FLOW)
    company = Company(
        "globex", "210000000001", "210000000002", "us-gov-west-1", "ops@x.example", "sales", "210000000003"
    )
    try:
        init_repository(tmp_path / "lake", company)
    except init.CatalogError as exc:
        [problem] = exc.problems
    else:
        raise AssertionError("the api flow is refused in GovCloud")
    assert problem.file == str(tmp_path / "lake" / "silos.yaml")
    assert ".silolake-init" not in str(problem) and "nothing was written" in problem.message
    assert not (tmp_path / "lake" / "silos.yaml").exists()
