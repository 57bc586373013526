"""``silolake init DIR``: the repository layout of a company adopting silolake.

Writes a starter ``silos.yaml`` (valid as written: the company's first *real* silo, an
existing account given by ``account_id``, with one api flow; none in AWS GovCloud (US), where
a silo holds no flows yet, :mod:`silolake.catalog.partitions`), the JSON Schema the
catalog's modeline points editors at, an ``accounts.lock.json`` that already records the
organization's management account (a lock of another organization is then refused),
``glue_src/``, the GitHub workflows the framework's own repository runs (ci, plan of the
affected stacks through each account's OIDC plan role, deploy in waves, nightly drift)
with a setup action that installs silolake from the hashed lock, the master buildspec of
the AWS-native pipeline (``delivery.pipeline``), ``requirements.lock`` (the dependency lock
this silolake ships, ``silolake/requirements/synth.lock``), ``requirements.txt`` pinning
this silolake version, and a README for the company. Nothing generated refers to the
framework's own source tree or test suite. An existing ``silos.yaml`` in ``DIR`` is never
overwritten.

The first silo is required (``--silo``, ``--account-id``) rather than a placeholder: an
email-only placeholder is a trap, since once synthesized or committed it can only leave
the catalog through a decommission, which makes the org stack create a real account for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path

from ..aws import arns
from ..aws.delivery_names import MASTER_BUILDSPEC
from ..aws.versions import TERRAFORM_VERSION
from ..catalog import CatalogError, load_catalog
from ..catalog.errors import Problem
from ..catalog.lock import LOCK_NAME, AccountsLock
from ..catalog.partitions import GOVCLOUD, REFUSED, SUPPORTED
from ..catalog.schema import SCHEMA_FILE
from ..errors import UsageError
from ..policy.delivery import ci_role_trust

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "init"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "catalog" / SCHEMA_FILE

#: template -> path in the new repository
FILES = {
    "silos.yaml": "silos.yaml",
    "README.md": "README.md",
    "glue_src.README.md": "glue_src/README.md",
    "setup-silolake.action.yml": ".github/actions/setup-silolake/action.yml",
    "workflows/ci.yml": ".github/workflows/ci.yml",
    "workflows/plan.yml": ".github/workflows/plan.yml",
    "workflows/deploy.yml": ".github/workflows/deploy.yml",
    "workflows/apply-stack.yml": ".github/workflows/apply-stack.yml",
    "workflows/drift.yml": ".github/workflows/drift.yml",
    "master.buildspec.yml": MASTER_BUILDSPEC,
}
#: The lock of silolake's runtime dependencies, shipped as package data; copied verbatim.
SYNTH_LOCK = ("requirements", "synth.lock")
REQUIREMENTS_LOCK = "requirements.lock"
#: ``<%key%>`` in a template (nothing else is touched: shell and GitHub ``${{ }}`` stay as written).
_PLACEHOLDER = re.compile(r"<%(\w+)%>")


class InitError(UsageError):
    """The target cannot take a new layout (``silolake init`` exits 2)."""


@dataclass(frozen=True)
class Company:
    name: str  # organization slug, prefixed to resource names
    management_account_id: str
    datalake_account_id: str
    region: str  # home region, and the first silo's
    owner: str  # e-mail of the first silo's owner
    silo: str  # the first silo: an existing account
    silo_account_id: str
    repository: str | None = None  # owner/name on GitHub: delivery.github (per-account plan roles)


def _pattern(definition: str) -> re.Pattern[str]:
    return re.compile(json.loads(SCHEMA_PATH.read_text("utf-8"))["$defs"][definition]["pattern"])


def option_problems(company: Company) -> list[str]:
    """The options' own mistakes, named by option (the catalog check locates the rest)."""
    checks = [
        ("--name", company.name, "slug", "lowercase letters, digits and hyphens, starting with a letter"),
        ("--management-account-id", company.management_account_id, "account_id", "12 digits"),
        ("--datalake-account-id", company.datalake_account_id, "account_id", "12 digits"),
        ("--region", company.region, "region", "an AWS region code such as eu-west-1"),
        ("--silo", company.silo, "slug", "lowercase letters, digits and hyphens, starting with a letter"),
        ("--account-id", company.silo_account_id, "account_id", "12 digits"),
    ]
    problems = [
        f"{option} {value!r} is not valid: expected {expected}"
        for option, value, definition, expected in checks
        if not _pattern(definition).fullmatch(value)
    ]
    partition = arns.partition_of(company.region)
    if partition not in SUPPORTED and _pattern("region").fullmatch(company.region):
        problems.append(
            f"--region {company.region!r} is in the {partition} partition, which silolake refuses: "
            f"{REFUSED.get(partition, REFUSED['aws-iso'])}. Use a region of the commercial 'aws' or the "
            "'aws-us-gov' partition"
        )
    if "@" not in company.owner.strip("@"):
        problems.append(f"--owner {company.owner!r} is not an e-mail address")
    if company.repository is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", company.repository):
        problems.append(f"--repository {company.repository!r} is not valid: expected owner/name, e.g. acme/datalake")
    if company.silo_account_id in (company.management_account_id, company.datalake_account_id):
        problems.append(
            f"--account-id {company.silo_account_id} is the management or data lake account: a silo needs an "
            "account of its own"
        )
    return problems


def synth_lock() -> str | None:
    """The dependency lock this silolake ships (``silolake/requirements/synth.lock``), if any."""
    lock = resources.files("silolake").joinpath(*SYNTH_LOCK)
    return lock.read_text(encoding="utf-8") if lock.is_file() else None


#: The first silo's flows: one api flow, the starting point of a commercial organization.
_API_FLOW = """\
    flows:
      - name: events
        source: api
        columns:
          - {name: event_id, type: string}
          - {name: occurred_at, type: timestamp}
        keys: [event_id]
"""
#: In AWS GovCloud (US) every flow source (api, sftp, upload) needs the partner pages, which
#: CloudFront serves, and CloudFront is not offered there (partitions.GOVCLOUD_REFUSED).
_GOVCLOUD_FLOWS = """\
    # No flows: in AWS GovCloud (US) every flow source (api, sftp, upload) needs the partner
    # pages, served through Amazon CloudFront, which GovCloud does not offer; silolake refuses
    # them there (silolake docs/security.md, "Regions and partitions").
    flows: []
"""


def _govcloud(company: Company) -> bool:
    return arns.partition_of(company.region) == GOVCLOUD


def _delivery(company: Company) -> str:
    """The ``delivery`` block: the plan roles when the repository is known; the AWS-native
    pipeline commented out (it needs a CodeConnections connection first, or in GovCloud,
    where the connection is refused, a zip of the repository in an S3 bucket)."""
    repo = company.repository or "OWNER/NAME"
    github = f"github: {{repository: {repo}}}"
    source = (
        "#     s3: {bucket: BUCKET, key: catalog.zip}  # versioned, in the datalake account"
        if _govcloud(company)
        else f"#     connection: {{provider: GitHub, repository: {repo}, branch: main}}"
    )
    pipeline = [
        "# pipeline:  # the AWS-native pipeline (silolake docs/delivery.md) builds delivery/buildspec/master.yml",
        "#   source:",
        source,
    ]
    lines = [
        "# Pull requests and the nightly drift run plan each stack in its own account through",
        "# GitHub OIDC: every account stack gets the read-only plan role silolake-github-plan.",
    ]
    if company.repository:
        lines += ["delivery:", f"  {github}", *(f"  {line}" for line in pipeline)]
    else:
        lines += ["# delivery:", f"#   {github}", *(f"#   {line[2:]}" for line in pipeline)]
    return "\n".join(lines) + "\n"


def _render(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def wheel_sha256(wheel: Path | None = None) -> str | None:
    """SHA-256 (hex) of the silolake wheel a company installs: of ``wheel`` when given, else of
    the wheel this silolake was installed from, which pip records in the distribution's
    ``direct_url.json`` (PEP 610) for an install from a wheel file or URL; None when unknown
    (an install from an index or an editable checkout records none)."""
    if wheel is not None:
        return hashlib.sha256(Path(wheel).read_bytes()).hexdigest()
    try:
        raw = metadata.distribution("silolake").read_text("direct_url.json")
        hashes = json.loads(raw or "{}").get("archive_info", {}).get("hashes", {})
    except (metadata.PackageNotFoundError, ValueError, AttributeError):
        return None
    digest = hashes.get("sha256") if isinstance(hashes, dict) else None
    return digest if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest) else None


def requirements_txt(version: str, sha256: str | None) -> str:
    """``requirements.txt`` of a company repository: silolake itself, hash-pinned when known.
    Installed after the lock with ``pip install --require-hashes --no-deps -r requirements.txt``,
    so a package of the same name and version from any index but this exact wheel is refused."""
    head = (
        f"# silolake itself, installed after {REQUIREMENTS_LOCK} (its dependencies, hashed) with\n"
        "#   pip install --require-hashes --no-deps -r requirements.txt\n"
        "# from the index PIP_INDEX_URL names (or a wheel file: pip install --require-hashes --no-deps FILE).\n"
    )
    if sha256 is None:
        return head + (
            "# No hash was known when `silolake init` ran (silolake was not installed from a wheel file):\n"
            "# add the wheel's own `--hash=sha256:<hex>` below, or run `silolake init --wheel FILE`; until\n"
            "# then --require-hashes refuses the install.\n"
            f"silolake=={version}\n"
        )
    return head + f"silolake=={version} \\\n    --hash=sha256:{sha256}\n"


def init_repository(target: Path, company: Company, wheel: Path | None = None) -> list[Path]:
    """Write the layout into ``target``; return the files written. The options and the
    starter catalog are checked before anything is written, so bad options fail with
    named or located problems."""
    target = Path(target)
    if (target / "silos.yaml").exists():
        raise InitError(f"{target / 'silos.yaml'} exists; silolake init never overwrites a catalog")
    problems = option_problems(company)
    if problems:
        raise InitError("\n".join(problems))
    version = metadata.version("silolake")
    values = {
        **{k: v or "" for k, v in asdict(company).items()},
        "version": version,
        "terraform_version": TERRAFORM_VERSION,
        "delivery": _delivery(company),
        "partition": arns.partition_of(company.region),
        "first_flows": _GOVCLOUD_FLOWS if _govcloud(company) else _API_FLOW,
        "ci_role_trust_indented": "\n".join(
            "  " + line
            for line in json.dumps(
                ci_role_trust(
                    company.management_account_id,
                    company.repository or "OWNER/NAME",
                    partition=arns.partition_of(company.region),
                ),
                indent=2,
            ).splitlines()
        ),
        "repository_note": f"here: {company.repository}"
        if company.repository
        else "not yet: uncomment it with this repository's owner/name",
    }
    rendered = {dest: _render((TEMPLATES / src).read_text(encoding="utf-8"), values) for src, dest in FILES.items()}
    rendered[SCHEMA_FILE] = SCHEMA_PATH.read_text("utf-8")
    rendered[LOCK_NAME] = AccountsLock(management_account_id=company.management_account_id).to_json()
    lock = synth_lock()
    if lock is not None:
        rendered[REQUIREMENTS_LOCK] = lock
    rendered["requirements.txt"] = requirements_txt(version, wheel_sha256(wheel))
    rendered[".gitignore"] = "cdktf.out/\n.venv/\nbundles/\ndist/\n"
    staging = target / ".silolake-init"
    written = []
    for dest, text in rendered.items():
        path = staging / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        try:
            load_catalog(staging / "silos.yaml")
        except CatalogError as exc:  # located in the catalog init would write, never in the staging copy
            raise CatalogError(_unstaged(p, target) for p in exc.problems) from None
        for dest in rendered:
            final = target / dest
            final.parent.mkdir(parents=True, exist_ok=True)
            if not final.exists():
                (staging / dest).replace(final)
                written.append(final)
    finally:
        for path in sorted(staging.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        staging.rmdir()
    return written


def _unstaged(problem: Problem, target: Path) -> Problem:
    """``problem`` of the staged starter catalog, named as the ``silos.yaml`` init would write
    (the options made it so: the message says so, since that file is not written)."""
    return Problem(
        str(target / "silos.yaml"),
        problem.line,
        problem.col,
        problem.path,
        f"{problem.message} (in the catalog silolake init would write from its options; nothing was written)",
    )
