"""``silolake redrive``: reprocess a flow's raw days, or replay its quarantined files (docs/etl.md, *Redrive*).

Exit codes as every command (README.md, "Exit codes"): 2 for a bad catalog or option (unknown
silo or flow, a day that is not ``YYYY-MM-DD``, a ``--partner`` no credential can have, a
``--region`` other than the silo's, credentials of another account), all refused before any
AWS call but the credentials' own; 1 for AWS refusals; 3 when a replay left files waiting
(:class:`~silolake.ops.redrive.ReplayWaiting`). ``--dry-run`` reads and lists, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ...aws import names
from ...catalog import load_catalog
from ...catalog.limits import PARTNER_NAME, PARTNER_NAME_RULE
from ...channels import channel
from ...errors import UsageError
from ..shared.aws import aws_refusals
from ..shared.common import catalog_path, deployed_silo, err, out

if TYPE_CHECKING:
    from ...catalog.flow import Flow
    from ...catalog.model import DeployedSilo


def _target(path: Path, silo_name: str, flow_name: str) -> tuple[str, DeployedSilo, Flow]:
    """(organization name, silo, flow) named by the options; :class:`UsageError` naming what exists otherwise."""
    catalog = load_catalog(path)
    silo = deployed_silo(catalog, path, silo_name, "nothing to redrive")
    flow = next((f for f in silo.flows if f.name == flow_name), None)
    if flow is None:
        known = ", ".join(f.name for f in silo.flows)
        raise UsageError(f"{path}: silo '{silo_name}' has no flow named '{flow_name}' (flows: {known})")
    return catalog.organization.name, silo, flow


def _days(values: tuple[str, ...]) -> list[str]:
    for value in values:
        try:
            if len(value) != 10:
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a day in the form YYYY-MM-DD", param_hint="--day") from None
        # Raw days are named by the UTC day landing wrote them on: a later day holds nothing yet, and
        # its run would fail and alert every owner.
        if dt.date.fromisoformat(value) > dt.datetime.now(dt.UTC).date():
            raise click.BadParameter(f"{value} is in the future (UTC): it holds no raw data yet", param_hint="--day")
    return sorted(set(values))


def _session(profile: str | None, region: str, silo: DeployedSilo) -> Any:
    """A boto3 session in the silo account (:class:`UsageError` when the credentials are another account's)."""
    import boto3

    session = boto3.Session(profile_name=profile, region_name=region)
    with aws_refusals():
        account = session.client("sts").get_caller_identity()["Account"]
    if account != silo.account_id:
        raise UsageError(
            f"the credentials are for account {account}, silo '{silo.name}' is account {silo.account_id}: "
            "use a profile of the silo account (--profile)"
        )
    return session


@click.command("redrive")
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo of the flow.")
@click.option("--flow", "flow_name", required=True, help="The flow, as the catalog names it.")
@click.option(
    "--day", "days", multiple=True, metavar="YYYY-MM-DD", help="Raw day (ingest_date) to reprocess; repeatable."
)
@click.option(
    "--quarantined",
    is_flag=True,
    help="Replay the flow's quarantined files through landing instead: each is copied back to its dropzone "
    "key, then its quarantined version is deleted (malware stays; a taken key waits, exit 3).",
)
@click.option("--partner", default=None, help="With --quarantined: only this partner's files (a partner name).")
@click.option("--dry-run", is_flag=True, help="List what would be re-run or replayed; start, copy and delete nothing.")
@click.option("--region", default=None, help="AWS region; only the silo's is accepted (the default).")
@click.option(
    "--profile",
    default=None,
    help="AWS profile of the silo account (default: boto3's credentials); credentials of another account "
    "are refused (exit 2).",
)
def redrive(
    path: Path,
    silo_name: str,
    flow_name: str,
    days: tuple[str, ...],
    quarantined: bool,
    partner: str | None,
    dry_run: bool,
    region: str | None,
    profile: str | None,
) -> None:
    """Reprocess raw days of a flow after a fix (--day), or replay its quarantined files (--quarantined).

    PATH is the catalog (silos.yaml) naming the silo and flow. --day starts the flow's state
    machine with {"redrive": {"flow", "days"}}: the conform job reads those days again and the
    warehouse load replaces them. --quarantined copies each quarantined file back to its
    dropzone key, where landing checks it again as a new arrival, and deletes the quarantined
    version once the copy exists. Exit 3: some files wait for their dropzone key; rerun later.
    """
    if days and quarantined:
        raise click.UsageError("give --day (repeatable) or --quarantined, not both")
    if not days and not quarantined:
        raise click.UsageError("say what to redrive: --day YYYY-MM-DD (repeatable) or --quarantined")
    if partner and not quarantined:
        raise click.UsageError("--partner goes with --quarantined")
    if partner is not None and not PARTNER_NAME.match(partner):
        # Also keeps the listing inside _quarantine/<partner>/: no '/' or '..' can widen it.
        raise click.BadParameter(f"{partner!r}: {PARTNER_NAME_RULE}", param_hint="--partner")
    chosen = _days(days)
    org, silo, flow = _target(path, silo_name, flow_name)
    # Refusals that need no AWS call come before the credentials are looked at.
    if quarantined and not channel(flow.source).partner_files:
        raise UsageError(f"flow '{flow.name}' receives records by API: landing quarantines no files of it")
    if region is not None and region != silo.region:
        raise UsageError(
            f"{path}: silo '{silo.name}' is in {silo.region}, not {region}: its state machines and buckets are "
            "there (omit --region)"
        )
    session = _session(profile, silo.region, silo)
    if chosen:
        _start(session, silo, flow, chosen, dry_run)
    else:
        _replay(session, org, silo, flow, partner, dry_run)


def _start(session: Any, silo: DeployedSilo, flow: Flow, days: list[str], dry_run: bool) -> None:
    from ...ops.redrive import start_redrive

    if flow.custom_job:
        err.print(
            f"notice: flow '{flow.name}' runs its own job ({flow.job}): it receives --redrive_days and must honour it",
            markup=False,
        )
    machine = names.state_machine_arn(session.region_name, silo.account_id, silo.name, flow.storage_name)
    if dry_run:
        out.print(f"Would start the redrive of {silo.name}/{flow.name}, days {', '.join(days)}:", markup=False)
        out.print(f"  {machine} (dry run: nothing started)", markup=False)
        return
    with aws_refusals():
        execution, _ = start_redrive(session.client("stepfunctions"), machine, flow.name, days)
    out.print(f"Started the redrive of {silo.name}/{flow.name}, days {', '.join(days)}:", markup=False)
    out.print(f"  {execution}", markup=False)


def _replay(session: Any, org: str, silo: DeployedSilo, flow: Flow, partner: str | None, dry_run: bool) -> None:
    from ...ops.redrive import ReplayWaiting, quarantined_keys, replay

    bucket = names.silo_bucket(org, silo.name, "dropzone", silo.account_id, silo.region)
    s3 = session.client("s3")
    with aws_refusals():
        keys = quarantined_keys(s3, bucket, flow.storage_name, partner)
        done = [replay(s3, bucket, key, dry_run=dry_run) for key in keys]
    for r in done:
        detail = f" ({r.detail})" if r.detail else ""
        out.print(f"  {r.status:<8} s3://{bucket}/{r.key} -> {r.target}{detail}", markup=False)
    whose = f" of partner '{partner}'" if partner else ""
    if dry_run:
        would = sum(r.status == "would replay" for r in done)
        out.print(
            f"{would} of {len(done)} quarantined file(s){whose} of {silo.name}/{flow.name} would be sent back to "
            "landing (dry run: nothing copied or deleted)",
            markup=False,
        )
        return
    replayed = sum(r.status == "replayed" for r in done)
    out.print(
        f"{replayed} of {len(done)} quarantined file(s){whose} of {silo.name}/{flow.name} sent back to landing; "
        "each one's verdict is in its status record (_status/<partner>/<flow>/<file>.json)",
        markup=False,
    )
    waiting = [r.key for r in done if r.status == "waiting"]
    if waiting:
        raise ReplayWaiting(
            f"{len(waiting)} quarantined file(s) wait for their dropzone key to be landed first; "
            "run the same command again later"
        )


command = redrive
