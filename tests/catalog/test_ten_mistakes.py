"""All problems in one run: a catalog with ten different mistakes gives ten located lines.

``bad/ten_mistakes.yaml`` mixes schema mistakes (an unquoted account id, an unknown
source, a misspelled key) with semantic ones (regions, e-mail, CIDR, column type,
keys, schedule, cross references). It goes through the real command line, as a user
would run it, and is the catalog the README shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BAD = Path(__file__).parent / "bad"
REPO = Path(__file__).resolve().parents[2]
F = "ten_mistakes.yaml"
LOCATED = re.compile(r"^ten_mistakes\.yaml:(\d+):(\d+): (\S+): (.+)$")

EXPECTED = [
    f'{F}:7:26: organization.management_account_id: write it as a quoted string ("111111111111"); '
    "YAML read it as the number 111111111111",
    f"{F}:19:20: analytics[0].silos[1]: unknown silo 'finanse' (did you mean 'finance'?); "
    "declared silos: finance, sales",
    f"{F}:24:13: silos[0].region: region 'us-east-1' is not in organization.allowed_regions "
    "(eu-west-1, eu-central-1); add it there or pick an allowed region",
    f"{F}:25:34: silos[0].owners[1]: 'bob.acme.example' is not a valid e-mail address",
    f"{F}:27:45: silos[0].ingestion.sftp.allowed_cidrs[0]: '203.0.113.7/24' is not a valid CIDR block: "
    "203.0.113.7/24 has host bits set (did you mean 203.0.113.0/24?)",
    f"{F}:34:36: silos[0].flows[0].columns[1].type: invalid column type 'long': "
    "unknown type 'long' at position 0 of 'long' (did you mean 'bigint'?)",
    f"{F}:36:16: silos[0].flows[0].keys[0]: 'order_number' is not a declared column (did you mean 'order_id'?)",
    f"{F}:37:19: silos[0].flows[0].schedule: invalid schedule 'rate(2 hour)': "
    "write rate(2 hours): EventBridge wants the singular unit only for 1",
    f"{F}:39:17: silos[0].flows[1].source: 'uplaod' is not one of 'api', 'sftp', 'upload' (did you mean 'upload'?)",
    f"{F}:41:9: silos[0].flows[1].colums: unknown key 'colums' (did you mean 'columns'?); allowed keys: "
    "adopt, buffer, columns, csv, expect, format, glue, job, keys, name, partition_by, quality, quicksight, "
    "renamed_from, "
    "schedule, schema_version, source, throttle, warehouse",
]


def test_ten_different_mistakes_give_ten_located_messages() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "silolake", "validate", F],
        cwd=BAD,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    *lines, summary = result.stderr.splitlines()
    assert summary == "10 problem(s) found"
    assert lines == EXPECTED
    # every line is located, the ten are on ten different keys, reported top to bottom
    located = [LOCATED.match(line) for line in lines]
    assert all(located)
    positions = [(int(m[1]), int(m[2])) for m in located]
    assert positions == sorted(positions)
    assert len({m[3] for m in located}) == 10


def test_each_mistake_is_marked_in_the_file() -> None:
    """The numbered comments in the file sit on the lines the messages point at."""
    text = (BAD / F).read_text().splitlines()
    marked = [i for i, line in enumerate(text, 1) if re.search(r"# \d+: ", line)]
    assert marked == [int(LOCATED.match(line)[1]) for line in EXPECTED]
