"""``silolake init DIR``: the repository layout of a company adopting silolake.

Writes a starter ``silos.yaml`` (valid as written: one email-only silo with one api
flow), the JSON Schema the catalog's modeline points editors at, an empty
``accounts.lock.json`` that already records the organization's management account (a
lock of another organization is then refused), ``glue_src/``, the CI workflows
(validate, the destructive-change guard against the target branch, synth, per-stack
plan), ``requirements.txt`` pinning this silolake version, and a README for the company.
An existing ``silos.yaml`` in ``DIR`` is never overwritten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from ..catalog import load_catalog
from ..catalog.lock import LOCK_NAME, AccountsLock
from ..catalog.schema import SCHEMA_FILE

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "init"

#: template -> path in the new repository
FILES = {
    "silos.yaml": "silos.yaml",
    "README.md": "README.md",
    "glue_src.README.md": "glue_src/README.md",
    "workflows/ci.yml": ".github/workflows/ci.yml",
    "workflows/plan.yml": ".github/workflows/plan.yml",
}


class InitError(Exception):
    """The target cannot take a new layout (``silolake init`` exits 2)."""


@dataclass(frozen=True)
class Company:
    name: str  # organization slug, prefixed to resource names
    management_account_id: str
    datalake_account_id: str
    region: str
    owner: str  # e-mail of the first silo's owner
    silo: str = "first"

    @property
    def silo_email(self) -> str:
        """Root e-mail of the first silo's account, on the owner's domain."""
        return f"aws-{self.name}-{self.silo}@{self.owner.rpartition('@')[2]}"


def init_repository(target: Path, company: Company) -> list[Path]:
    """Write the layout into ``target``; return the files written. The starter catalog is
    validated before anything is written, so bad options fail with located problems."""
    target = Path(target)
    if (target / "silos.yaml").exists():
        raise InitError(f"{target / 'silos.yaml'} exists; silolake init never overwrites a catalog")
    values = {**asdict(company), "silo_email": company.silo_email}
    rendered = {dest: (TEMPLATES / src).read_text(encoding="utf-8").format(**values) for src, dest in FILES.items()}
    rendered[SCHEMA_FILE] = (Path(__file__).resolve().parent.parent / "catalog" / SCHEMA_FILE).read_text("utf-8")
    rendered[LOCK_NAME] = AccountsLock(management_account_id=company.management_account_id).to_json()
    rendered["requirements.txt"] = (
        "# The silolake version this catalog is checked and synthesized with; point pip at where\n"
        "# your organization installs silolake from (an internal index or a git URL).\n"
        f"silolake=={metadata.version('silolake')}\n"
    )
    rendered[".gitignore"] = "cdktf.out/\n.venv/\n"
    staging = target / ".silolake-init"
    written = []
    for dest, text in rendered.items():
        path = staging / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        load_catalog(staging / "silos.yaml")  # raises CatalogError with located problems
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
