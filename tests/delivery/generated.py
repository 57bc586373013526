"""A generated catalog of N silos in a scratch git repository, for delivery tests and benchmarks.

Silo ``i`` is ``silo{i:02d}`` in account ``1000000000{i:02d}`` (beyond 99: ``10000000{i:04d}``),
alternating regions and flow sources; ``bi`` reads every silo, ``audit`` reads the first two.
The lock file carries organization ids so sharing is synthesized, as after a bootstrap.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

LOCK = {
    "version": 1,
    "accounts": {},
    "organization": {
        "org_id": "o-gen0000001",
        "root_id": "r-gen0",
        "datalake_ou_id": "ou-gen0-datalake",
        "silos_ou_id": "ou-gen0-silos000",
        "analytics_ou_id": "ou-gen0-analytic",
    },
}


def account(i: int) -> str:
    return f"1{i:011d}"


def silo_yaml(i: int) -> str:
    region = "eu-central-1" if i % 3 == 2 else "eu-west-1"
    source = "api" if i % 2 else "upload"
    extra = "    buffer: {seconds: 60, mb: 64}\n" if source == "api" else "    format: csv\n"
    ingestion = "" if source == "api" else "  ingestion:\n    web_upload: {enabled: true}\n"
    return (
        f"- name: silo{i:02d}\n"
        f'  account_id: "{account(i)}"\n'
        f"  region: {region}\n"
        f"  owners: [team{i}@gen.example]\n"
        f"{ingestion}"
        f"  flows:\n"
        f"  - name: events\n"
        f"    source: {source}\n"
        f"{extra}"
        f"    columns:\n"
        f"    - {{name: event_id, type: string}}\n"
        f"    - {{name: value, type: double}}\n"
        f"    keys: [event_id]\n"
    )


def catalog_yaml(n: int, *, audit: str | None = None) -> str:
    audit = audit or ("[silo01, silo02]" if n > 1 else "[silo01]")
    header = f"""\
version: 1
organization:
  name: gen
  management_account_id: "999999999990"
  home_region: eu-west-1
  allowed_regions: [eu-west-1, eu-central-1]
  state_bucket_prefix: gen-tfstate
datalake_account:
  account_id: "999999999991"
analytics:
- name: bi
  account_id: "999999999992"
  reader_roles: [bi-reader]
  silos: all
- name: audit
  account_id: "999999999993"
  reader_roles: [auditor]
  silos: {audit}
silos:
"""
    return header + "".join(silo_yaml(i) for i in range(1, n + 1))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_repo(repo: Path, n: int) -> Path:
    """A git repository holding the generated catalog (committed); returns the catalog path."""
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "glue_src").mkdir(exist_ok=True)
    (repo / "glue_src" / ".keep").write_text("")
    (repo / "silos.yaml").write_text(catalog_yaml(n))
    (repo / "accounts.lock.json").write_text(json.dumps(LOCK, indent=2, sort_keys=True) + "\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "catalog")
    return repo / "silos.yaml"
