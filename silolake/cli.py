"""``silolake`` command line: validate, synth, bootstrap.

Exit codes: 0 success; 2 usage and catalog errors (a bad catalog or lock, a refused
catalog change, a wrong option, what bootstrap needs fixed first: credentials of another
account, an unapplied org stack); 1 AWS refusals (a denied or failed AWS call) and
internal errors. User mistakes get located messages; the traceback of an unexpected
internal error is kept, because that one is a bug to report.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console

from .catalog import CatalogError, load_catalog

EXIT_INVALID = 2
EXIT_AWS = 1
# emoji=False: messages quote user values verbatim; ":thumbs_up:" must not become a glyph.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


def _fail(exc: CatalogError) -> None:
    for problem in exc.problems:
        err.print(str(problem), markup=False)
    err.print(f"[bold red]{len(exc.problems)} problem(s) found[/]")
    sys.exit(EXIT_INVALID)


#: The catalog argument every command takes. Not ``dir_okay=False``: a directory gets the
#: same located "is a directory" message as any other unreadable catalog.
catalog_path = click.argument("path", default="silos.yaml", type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="silolake")
def main() -> None:
    """silolake: one silos.yaml catalog -> Terraform for a multi-account AWS data lake."""


@main.command()
@catalog_path
@click.option(
    "--base",
    metavar="FILE|GIT-REF",
    help="Base catalog (a file, or a git revision such as origin/main) to check removed silos and "
    "changed account ids against.",
)
def validate(path: Path, base: str | None) -> None:
    """Check a catalog and report every problem as file:line:col: key.path: message.

    With --base, every change from the base is classified (safe, guarded, impossible) and
    refused changes are problems; without it, the catalog is compared with its last synth
    in ./cdktf.out when there is one (docs/day-2.md).
    """
    try:
        catalog = load_catalog(path)
        _check_changes(catalog, path, base, Path("cdktf.out"))
    except CatalogError as exc:
        _fail(exc)
    _notices(catalog, synth=False)
    out.print(
        f"{path}: valid ({len(catalog.silos)} silos, {sum(len(s.flows) for s in catalog.silos)} flows, "
        f"{len(catalog.analytics)} analytics consumers)"
    )


def _check_changes(catalog, path: Path, base: str | None, out_dir: Path) -> None:
    """Classify the changes against ``base`` (or the last synth in ``out_dir``); print them;
    raise :class:`CatalogError` with the refused ones."""
    from .catalog import lock_path_for, read_lock
    from .catalog.changes import classify, last_synth, lock_changes, problems_of, snapshot
    from .catalog.history import base_changes, load_base
    from .catalog.source import read_yaml

    if base:
        changes, doc = base_changes(catalog, load_base(base, path))
        against = base
    else:
        doc = read_yaml(catalog.source)
        lock = lock_path_for(catalog.source)
        changes = lock_changes(catalog, read_lock(lock).accounts, doc, lock.name)
        previous = last_synth(out_dir, catalog)
        against = f"last synth in {out_dir}" if previous else lock.name
        if previous is not None:
            changes += classify(previous, snapshot(catalog), doc, against)
    for change in changes:
        if not change.refused:  # refused ones are reported as located problems below
            err.print(f"change ({against}): {change.line()}", markup=False)
    problems = problems_of(changes, doc)
    if problems:
        raise CatalogError(problems)


def _notices(catalog, *, synth: bool) -> None:
    from .catalog.not_built import not_built_notices

    for line in not_built_notices(catalog):
        err.print(f"notice: {line}", markup=False)


@main.command()
@catalog_path
@click.option(
    "--out",
    "out_dir",
    default="cdktf.out",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Directory the Terraform JSON is written to (replaced atomically).",
)
def synth(path: Path, out_dir: Path) -> None:
    """Validate the catalog and synthesize one Terraform stack per account."""
    try:
        catalog = load_catalog(path)
        _check_changes(catalog, path, None, out_dir)
    except CatalogError as exc:
        _fail(exc)
    _notices(catalog, synth=True)
    from .synth import synthesize  # heavy: imports cdktf and the provider

    started = time.perf_counter()
    for silo in catalog.pending_silos:
        err.print(
            f"notice: silo '{silo.name}' has no account yet (email {silo.email}); no stack synthesized. "
            "Apply the org stack, then run `silolake bootstrap` to record its account id.",
            markup=False,
        )
    from .policy.sharing import notices

    for notice in notices(catalog):
        err.print(f"notice: {notice}", markup=False)
    summaries = synthesize(catalog, out_dir)
    from .catalog.changes import write_manifest

    write_manifest(out_dir, catalog)
    for s in summaries:
        out.print(f"  {s.name:<28} {s.resources:>4} resources  {s.path.parent}", markup=False)
    out.print(
        f"Synthesized {len(summaries)} stacks into {out_dir.resolve()} in {time.perf_counter() - started:.1f}s",
        markup=False,
    )


@main.command()
@catalog_path
@click.option("--dry-run", is_flag=True, help="Print what would change; make read-only AWS calls only.")
@click.option(
    "--lock",
    "lock_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Lock file to write (default: accounts.lock.json next to the catalog).",
)
def bootstrap(path: Path, dry_run: bool, lock_file: Path | None) -> None:
    """Create every account's state bucket and record account/OU ids in the lock file.

    Run with management-account credentials: once before the first org apply (state
    buckets; it then reports the OUs missing), and after every org apply that creates
    accounts. See docs/account-lifecycle.md.
    """
    from .catalog import lock_path_for
    from .ops.bootstrap import AwsRefused, BootstrapError, load_for_bootstrap, run

    lock_file = lock_file or lock_path_for(path)
    try:
        catalog = load_for_bootstrap(path)
    except CatalogError as exc:
        _fail(exc)
    try:
        run(catalog, lock_path=lock_file, dry_run=dry_run, echo=lambda line: out.print(line, markup=False))
    except BootstrapError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_AWS if isinstance(exc, AwsRefused) else EXIT_INVALID)


@main.command()
@catalog_path
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for CI job matrices).")
@click.option(
    "--kind",
    type=click.Choice(["org", "datalake", "silo", "analytics"]),
    default=None,
    help="Only stacks of this kind.",
)
def stacks(path: Path, as_json: bool, kind: str | None) -> None:
    """List the stacks the catalog deploys: account, region, deploy role, wave (no synth)."""
    import json

    from .ops.targets import stack_targets

    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        _fail(exc)
    targets = [t for t in stack_targets(catalog) if kind is None or t.kind == kind]
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in targets], separators=(",", ":")))
        return
    for t in targets:
        out.print(f"wave {t.wave}  {t.name:<28} {t.account_id}  {t.region:<14} {t.role_arn}", markup=False)


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Organization slug prefixed to resource names (e.g. acme).")
@click.option("--management-account-id", required=True, help="12-digit id of the organization's management account.")
@click.option("--datalake-account-id", required=True, help="12-digit id of the central data lake account.")
@click.option("--region", default="eu-west-1", show_default=True, help="Home region.")
@click.option("--owner", required=True, help="E-mail of the first silo's owner (its account e-mail uses the domain).")
def init(
    directory: Path, name: str, management_account_id: str, datalake_account_id: str, region: str, owner: str
) -> None:
    """Create a new catalog repository in DIRECTORY: silos.yaml, lock, glue_src/, workflows, README."""
    from .ops.init import Company, InitError, init_repository

    company = Company(name, management_account_id, datalake_account_id, region, owner)
    try:
        written = init_repository(directory, company)
    except CatalogError as exc:
        _fail(exc)
    except InitError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_INVALID)
    for path in written:
        out.print(f"  wrote {path}", markup=False)
    out.print(f"Next: cd {directory} and follow its README (validate, bootstrap, synth).", markup=False)


if __name__ == "__main__":  # pragma: no cover
    main()
