"""The accounts lock file (``accounts.lock.json``), written by ``silolake bootstrap``.

Two kinds of facts only exist after the ``org`` stack is applied: the ids of accounts
the organization created for email-only silos, and the organization/OU ids that make up
the OU paths resource policies are scoped to. Bootstrap records them in this committed
file so that synth stays offline, deterministic and reviewable: a change of id shows up
in the pull request diff, not as a surprise in a plan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogError, Problem
from .model import OrgLayout
from .source import SourceDoc, read_yaml

LOCK_NAME = "accounts.lock.json"
LOCK_VERSION = 1
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_IDS = {
    "org_id": re.compile(r"^o-[a-z0-9]{10,32}$"),
    "root_id": re.compile(r"^r-[a-z0-9]{4,32}$"),
    "datalake_ou_id": re.compile(r"^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"),
    "silos_ou_id": re.compile(r"^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"),
    "analytics_ou_id": re.compile(r"^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"),
}


@dataclass
class AccountsLock:
    accounts: dict[str, str] = field(default_factory=dict)  # silo name -> account id
    layout: OrgLayout | None = None
    #: The organization the ids belong to; a lock of another organization is refused.
    management_account_id: str | None = None

    def to_json(self) -> str:
        """Stable text (sorted keys, trailing newline) so re-running bootstrap is a no-op diff."""
        body: dict = {"version": LOCK_VERSION, "accounts": dict(sorted(self.accounts.items()))}
        if self.management_account_id:
            body["management_account_id"] = self.management_account_id
        if self.layout:
            body["organization"] = {k: getattr(self.layout, k) for k in _IDS}
        return json.dumps(body, indent=2, sort_keys=True) + "\n"


def lock_path_for(catalog_path: Path) -> Path:
    return Path(catalog_path).parent / LOCK_NAME


def read_lock(path: Path) -> AccountsLock:
    """Read and check a lock file; a missing file is an empty lock (nothing bootstrapped yet)."""
    path = Path(path)
    if not path.exists():
        return AccountsLock()
    doc: SourceDoc = read_yaml(path)  # JSON is YAML: gives positions; I/O and encoding errors are located too
    data = doc.data
    problems: list[Problem] = []
    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION:
        raise CatalogError(
            [
                doc.problem(
                    ("version",), f"not a version {LOCK_VERSION} lock file; regenerate it with `silolake bootstrap`"
                )
            ]
        )
    accounts = data.get("accounts", {})
    if not isinstance(accounts, dict):
        raise CatalogError([doc.problem(("accounts",), "must be a mapping of silo name to account id")])
    for name, account in accounts.items():
        if not isinstance(account, str) or not _ACCOUNT.match(account):
            problems.append(doc.problem(("accounts", name), f"{account!r} is not a 12-digit account id"))
    management = data.get("management_account_id")
    if management is not None and (not isinstance(management, str) or not _ACCOUNT.match(management)):
        problems.append(doc.problem(("management_account_id",), f"{management!r} is not a 12-digit account id"))
        management = None
    layout = None
    org = data.get("organization")
    if org is not None:
        if not isinstance(org, dict):
            problems.append(doc.problem(("organization",), "must be a mapping of organization ids"))
        else:
            for key, pattern in _IDS.items():
                if not isinstance(org.get(key), str) or not pattern.match(org[key]):
                    problems.append(doc.problem(("organization", key), f"missing or malformed {key}: {org.get(key)!r}"))
            if not problems:
                layout = OrgLayout(**{k: org[k] for k in _IDS})
    if problems:
        raise CatalogError(problems)
    return AccountsLock(accounts=dict(accounts), layout=layout, management_account_id=management)


def organization_problems(lock: AccountsLock, lock_path: Path, catalog_data: object) -> list[Problem]:
    """A lock recorded for another organization (other management account) is an error:
    its account and OU ids would put another company's ids into every policy."""
    org = catalog_data.get("organization") if isinstance(catalog_data, dict) else None
    expected = org.get("management_account_id") if isinstance(org, dict) else None
    if not lock.management_account_id or not isinstance(expected, str) or lock.management_account_id == expected:
        return []
    doc = read_yaml(lock_path)
    return [
        doc.problem(
            ("management_account_id",),
            f"this lock belongs to the organization of management account {lock.management_account_id}, but the "
            f"catalog's is {expected}; it is another organization's lock. Delete it and run `silolake bootstrap` "
            "for this organization",
        )
    ]


def write_lock(path: Path, lock: AccountsLock) -> bool:
    """Write ``lock`` atomically; return whether the file changed."""
    path = Path(path)
    text = lock.to_json()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
