"""Generated benchmark catalogs: ``catalog(n)`` is a realistic n-silo catalog as plain data.

Each silo has three flows (api JSON, SFTP CSV, web-upload Parquet) with typed columns
(decimal, map, array of struct), SFTP and web upload on; one analytics consumer reads
all silos.
"""

from __future__ import annotations

from pathlib import Path

import yaml

COLUMNS = {
    "api": [
        ("event_id", "string"),
        ("amount", "decimal(12,2)"),
        ("occurred_at", "timestamp"),
        ("attributes", "map<string,string>"),
        ("items", "array<struct<sku:string,qty:int>>"),
    ],
    "sftp": [("record_id", "string"), ("period", "date"), ("units", "bigint"), ("revenue", "decimal(14,2)")],
    "upload": [("item_id", "string"), ("price", "decimal(12,2)"), ("valid_from", "date")],
}


def catalog(silos: int) -> dict:
    def account(i: int) -> str:
        return f"{100000000000 + i:012d}"

    return {
        "version": 1,
        "organization": {
            "name": "bench",
            "management_account_id": account(1),
            "home_region": "eu-west-1",
            "allowed_regions": ["eu-west-1", "eu-central-1"],
            "state_bucket_prefix": "bench-tfstate",
            "tags": {"cost-center": "bench"},
        },
        "datalake_account": {"account_id": account(2)},
        "analytics": [{"name": "bi", "account_id": account(3), "reader_roles": ["analyst"], "silos": "all"}],
        "silos": [
            {
                "name": f"silo{i:04d}",
                "account_id": account(10 + i),
                "owners": [f"owner{i}@bench.example"],
                "ingestion": {
                    "sftp": {"enabled": True, "allowed_cidrs": ["203.0.113.0/24"]},
                    "web_upload": {"enabled": True},
                },
                "flows": [
                    {
                        "name": "events",
                        "source": "api",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["api"]],
                        "keys": ["event_id"],
                        "schedule": "rate(1 hour)",
                        "warehouse": True,
                    },
                    {
                        "name": "reports",
                        "source": "sftp",
                        "format": "csv",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["sftp"]],
                        "keys": ["record_id"],
                        "schedule": "cron(0 6 * * ? *)",
                    },
                    {
                        "name": "prices",
                        "source": "upload",
                        "format": "parquet",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["upload"]],
                        "keys": ["item_id"],
                    },
                ],
            }
            for i in range(silos)
        ],
    }


def write_catalog(directory: Path, silos: int) -> Path:
    """Write ``silos-<n>.yaml`` (and an empty ``glue_src/``) into ``directory``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "glue_src").mkdir(exist_ok=True)
    path = directory / f"silos-{silos}.yaml"
    if not path.exists():
        path.write_text(yaml.safe_dump(catalog(silos), sort_keys=False))
    return path
