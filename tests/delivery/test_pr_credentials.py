"""Issue 20, item 3: pull requests never hold deploy rights.

Every workflow triggered by a pull request, in the framework's repository and in the
repository ``silolake init`` writes, is parsed: no job it runs (nor any reusable workflow
it calls) references the CI role's secret (``SILOLAKE_CI_ROLE_ARN``, which assumes the
deploy role everywhere), inherits secrets, or falls back to another role when the plan
role is missing: it fails, saying to deploy the plan role first. The CI role's trust
(docs/delivery.md, the init README) admits only the production environment and main.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from silolake.policy import delivery

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / ".github" / "workflows"
TEMPLATES = ROOT / "silolake" / "templates" / "init" / "workflows"
CI_SECRET = "SILOLAKE_CI_ROLE_ARN"
PR_EVENTS = {"pull_request", "pull_request_target"}


def load(path: Path) -> dict[str, Any]:
    text = re.sub(r"<%\w+%>", "x", path.read_text(encoding="utf-8"))  # init placeholders
    doc = yaml.safe_load(text)
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def events(doc: dict[str, Any]) -> set[str]:
    on = doc["on"]
    return {on} if isinstance(on, str) else set(on)


def secret_refs(node: Any) -> set[str]:
    """Every secret a job names (``secrets.X``, ``secrets['X']``) or passes on."""
    text = json.dumps(node)
    found = set(re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", text))
    found |= set(re.findall(r"secrets\[\s*\\?['\"]([^'\"\\]+)", text))
    if isinstance(node, dict) and node.get("secrets") == "inherit":
        found.add("<inherit>")
    return found


def pr_jobs(folder: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(workflow, job, job + every reusable workflow it calls) of every pull-request workflow."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        doc = load(path)
        if not events(doc) & PR_EVENTS:
            continue
        for name, job in doc["jobs"].items():
            called = []
            uses = job.get("uses", "")
            if uses.startswith("./.github/workflows/"):
                called.append(load(folder / Path(uses).name))
            out.append((path.name, name, {"job": job, "calls": called}))
    return out


@pytest.mark.parametrize("folder", [FRAMEWORK, TEMPLATES], ids=["framework", "init"])
def test_no_pull_request_job_references_the_deploy_role_secret(folder: Path) -> None:
    jobs = pr_jobs(folder)
    assert {w for w, _, _ in jobs} >= {"plan.yml", "ci.yml"}  # the pull-request workflows were found
    offending = {f"{w}:{j}": sorted(secret_refs(body)) for w, j, body in jobs if secret_refs(body) - {"GITHUB_TOKEN"}}
    assert offending == {}
    assert all(CI_SECRET not in json.dumps(body) for _, _, body in jobs)


@pytest.mark.parametrize("folder", [FRAMEWORK, TEMPLATES], ids=["framework", "init"])
def test_plans_without_a_plan_role_fail_and_say_to_deploy_it(folder: Path) -> None:
    for workflow, job in (("plan.yml", "plan"), ("drift.yml", "drift")):
        steps = load(folder / workflow)["jobs"][job]["steps"]
        oidc = next(s for s in steps if s.get("id") == "oidc")
        assert oidc["with"]["role-to-assume"].endswith(":role/silolake-github-plan")
        after = [s for s in steps if s.get("if") == "steps.oidc.outcome != 'success'"]
        assert len(after) == 1 and "uses" not in after[0], (workflow, after)  # no second sign-in
        assert "deploy.yml" in after[0]["run"] and "exit 1" in after[0]["run"]
        assert not [s for s in steps if "configure-aws-credentials" in s.get("uses", "") and s is not oidc]


@pytest.mark.parametrize("folder", [FRAMEWORK, TEMPLATES], ids=["framework", "init"])
def test_the_ci_role_is_used_only_in_the_production_environment(folder: Path) -> None:
    """Where the secret is used, the job runs in ``production`` (the ``sub`` the trust admits)."""
    for path in sorted(folder.glob("*.yml")):
        doc = load(path)
        for name, job in doc["jobs"].items():
            if CI_SECRET in json.dumps(job.get("steps", [])):
                assert job.get("environment") == delivery.DEPLOY_ENVIRONMENT, (path.name, name)


def test_ci_role_trust_admits_production_and_main_only() -> None:
    trust = delivery.ci_role_trust("111111111111", "acme/datalake", partition="aws")
    [statement] = trust["Statement"]
    subjects = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert subjects == ["repo:acme/datalake:environment:production", "repo:acme/datalake:ref:refs/heads/main"]
    assert not any("pull_request" in s or "*" in s for s in subjects)
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
