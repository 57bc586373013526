"""``silolake init``: create a new catalog repository in DIRECTORY: silos.yaml with its first silo, lock,"""

from __future__ import annotations

from pathlib import Path

import click

from ..shared.common import err, out


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Organization slug prefixed to resource names (e.g. acme).")
@click.option("--management-account-id", required=True, help="12-digit id of the organization's management account.")
@click.option("--datalake-account-id", required=True, help="12-digit id of the central data lake account.")
@click.option("--region", required=True, help="Home region (e.g. eu-west-1), also the first silo's.")
@click.option("--silo", required=True, help="Name of the first silo (a slug, e.g. sales).")
@click.option(
    "--account-id", "silo_account_id", required=True, help="12-digit id of the first silo's existing account."
)
@click.option("--owner", required=True, help="E-mail of the first silo's owner.")
@click.option("--repository", default=None, metavar="OWNER/NAME", help="GitHub repository of the catalog (plan roles).")
@click.option(
    "--wheel",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The silolake wheel the repository installs: requirements.txt pins its SHA-256 (default: the wheel "
    "this silolake was installed from, when pip recorded it).",
)
def init(
    directory: Path,
    name: str,
    management_account_id: str,
    datalake_account_id: str,
    region: str,
    silo: str,
    silo_account_id: str,
    owner: str,
    repository: str | None,
    wheel: Path | None,
) -> None:
    """Create a new catalog repository in DIRECTORY: silos.yaml with its first silo, lock,
    glue_src/, workflows (ci, plan, deploy, drift), master buildspec, README."""
    from ...dev.init import REQUIREMENTS_LOCK, Company, init_repository

    company = Company(
        name, management_account_id, datalake_account_id, region, owner, silo, silo_account_id, repository
    )
    written = init_repository(directory, company, wheel)
    for path in written:
        out.print(f"  wrote {path}", markup=False)
    pins = (directory / "requirements.txt").read_text(encoding="utf-8").splitlines()
    if not any(line.strip().startswith("--hash=") for line in pins):
        err.print(
            "warning: requirements.txt pins silolake without a hash (this silolake was not installed from a "
            "wheel file): add the wheel's --hash=sha256:<hex> or rerun with --wheel FILE; the workflows "
            "install with --require-hashes",
            markup=False,
        )
    if not (directory / REQUIREMENTS_LOCK).exists():
        err.print(
            f"warning: this silolake ships no dependency lock (silolake/requirements/synth.lock): write "
            f"{directory / REQUIREMENTS_LOCK} (pip-compile --generate-hashes) before the workflows can install",
            markup=False,
        )
    out.print(f"Next: cd {directory} and follow its README (install, validate, bootstrap, synth).", markup=False)


command = init
