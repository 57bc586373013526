"""The checkov security gate over synthesized Terraform JSON.

checkov exits 0 when it cannot parse a file, so the gate reads its JSON report: any
parsing error fails, and so does any failed check that the committed baseline does not
accept with a written reason. Run by the test suite; also usable by hand:

    python -m tests.security.checkov_gate cdktf.out
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "security" / "checkov-baseline.yaml"
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


@dataclass(frozen=True)
class Finding:
    check: str
    resource: str
    file: str
    name: str

    def __str__(self) -> str:
        return f"{self.check} {self.resource} ({self.file}): {self.name}"


@dataclass
class GateReport:
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    accepted: list[Finding] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)
    resource_count: int = 0
    unused_baseline: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.parsing_errors


def load_baseline(path: Path = BASELINE) -> list[dict]:
    entries = (yaml.safe_load(path.read_text()) or {}).get("accepted") or []
    for entry in entries:
        missing = [k for k in ("check", "resources", "reason") if not entry.get(k)]
        if missing:
            raise ValueError(f"{path}: baseline entry {entry!r} lacks {', '.join(missing)}")
        if len(str(entry["reason"]).split()) < 5:
            raise ValueError(
                f"{path}: baseline entry for {entry['check']} needs a real reason, got {entry['reason']!r}"
            )
    return entries


#: Top-level Terraform blocks that only change state addresses; checkov's terraform_json
#: parser refuses them as lists (the form cdktf writes and Terraform core accepts).
STATE_ONLY_BLOCKS = ("moved", "removed")


def scan_copy(directory: Path, into: Path) -> Path:
    """Copy of the ``*.tf.json`` files under ``directory`` without :data:`STATE_ONLY_BLOCKS`.

    Those blocks declare no resource, so dropping them hides nothing from the checks; left
    in, checkov fails to parse the whole file (and would check none of its resources)."""
    for source in directory.rglob("*.tf.json"):
        text = source.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except ValueError:  # left as it is: checkov reports it as a parse error
            doc = None
        if isinstance(doc, dict):
            text = json.dumps({k: v for k, v in doc.items() if k not in STATE_ONLY_BLOCKS})
        target = into / source.relative_to(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return into


def run_checkov(directory: Path) -> list[dict]:
    if not CHECKOV.exists():
        raise FileNotFoundError(f"{CHECKOV} is missing: set up with `python3 scripts/dev.py test`")
    with tempfile.TemporaryDirectory(prefix="checkov-") as tmp:
        return _checkov(scan_copy(directory, Path(tmp)))


def _checkov(directory: Path) -> list[dict]:
    proc = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(directory),
            "--framework",
            "terraform_json",
            "--skip-download",
            "-o",
            "json",
            "--compact",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout or "[]")
    return report if isinstance(report, list) else [report]


def evaluate(directory: Path, baseline: list[dict] | None = None) -> GateReport:
    baseline = load_baseline() if baseline is None else baseline
    used: set[int] = set()
    gate = GateReport()
    for section in run_checkov(directory):
        summary = section.get("summary", {})
        gate.passed += summary.get("passed", 0)
        gate.resource_count += summary.get("resource_count", 0)
        if summary.get("parsing_errors"):
            gate.parsing_errors += section.get("results", {}).get("parsing_errors", []) or [
                f"{summary['parsing_errors']} file(s) could not be parsed"
            ]
        for check in section.get("results", {}).get("failed_checks", []):
            finding = Finding(
                check["check_id"], check["resource"], check.get("file_path", ""), check.get("check_name", "")
            )
            match = next(
                (
                    i
                    for i, e in enumerate(baseline)
                    if e["check"] == finding.check
                    and any(fnmatch.fnmatch(finding.resource, pattern) for pattern in e["resources"])
                ),
                None,
            )
            if match is None:
                gate.failed.append(finding)
            else:
                used.add(match)
                gate.accepted.append(finding)
    gate.unused_baseline = [e for i, e in enumerate(baseline) if i not in used]
    return gate


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "cdktf.out")
    gate = evaluate(directory)
    for finding in gate.failed:
        print(f"FAILED  {finding}")
    for error in gate.parsing_errors:
        print(f"PARSE   {error}")
    for entry in gate.unused_baseline:
        print(f"UNUSED  baseline entry {entry['check']} {entry['resources']}")
    print(
        f"checkov gate: {gate.passed} passed, {len(gate.failed)} failed, {len(gate.accepted)} accepted by "
        f"baseline, {len(gate.parsing_errors)} parsing errors, {gate.resource_count} resources"
    )
    return 0 if gate.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
