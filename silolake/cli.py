"""``silolake`` command line: validate, synth, bootstrap, stacks, portal.

User mistakes (a bad catalog, a missing file) exit 2 with located messages; the
traceback of an unexpected internal error is kept, because that one is a bug to report.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import click
from rich.console import Console

from .catalog import CatalogError, load_catalog

EXIT_INVALID = 2
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
    """Check a catalog and report every problem as file:line:col: key.path: message."""
    try:
        catalog = load_catalog(path)
        if base:
            from .catalog.history import base_problems, load_base

            problems = base_problems(catalog, load_base(base, path))
            if problems:
                raise CatalogError(problems)
    except CatalogError as exc:
        _fail(exc)
    out.print(
        f"{path}: valid ({len(catalog.silos)} silos, {sum(len(s.flows) for s in catalog.silos)} flows, "
        f"{len(catalog.analytics)} analytics consumers)"
    )


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
    except CatalogError as exc:
        _fail(exc)
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
    from .ops.bootstrap import BootstrapError, load_for_bootstrap, run

    lock_file = lock_file or lock_path_for(path)
    try:
        catalog = load_for_bootstrap(path)
    except CatalogError as exc:
        _fail(exc)
    try:
        run(catalog, lock_path=lock_file, dry_run=dry_run, echo=lambda line: out.print(line, markup=False))
    except BootstrapError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_INVALID)


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


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command()
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo whose partner flow to run.")
@click.option("--port", default=8765, show_default=True, help="Port of the pages and API on 127.0.0.1 (0: any free).")
@click.option("--aws-port", default=0, show_default=True, help="Port of the local AWS (moto) server (0: any free).")
def portal(path: Path, silo_name: str, port: int, aws_port: int) -> None:
    """Run a silo's partner pages, API and a local AWS on 127.0.0.1 until Ctrl-C."""
    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        _fail(exc)
    if all(s.name != silo_name for s in catalog.silos):
        err.print(f"{path}: no silo named '{silo_name}'", markup=False)
        sys.exit(EXIT_INVALID)
    try:
        from .ops import portal as local
    except ImportError as exc:  # moto is a development dependency
        err.print(f"silolake portal needs the development extras (pip install -e '.[dev]'): {exc}", markup=False)
        sys.exit(EXIT_INVALID)
    try:
        with local.run(catalog, silo_name, port=port, aws_port=aws_port) as running:
            out.print(f"Partner upload page:  {running.pages_url}", markup=False)
            out.print(f"Admin page:           {running.admin_url}", markup=False)
            out.print(f"Local AWS (moto):     {running.aws_url}  (dropzone bucket {running.bucket})", markup=False)
            out.print(
                "Local only: staff sign in through a stand-in for Cognito (no password, no MFA); "
                "127.0.0.1/32 is added to the allowed CIDRs; moto does not enforce IAM. Ctrl-C stops.",
                markup=False,
            )
            sys.stdout.flush()
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                out.print("Stopping.", markup=False)
    except ValueError as exc:
        err.print(str(exc), markup=False)
        sys.exit(EXIT_INVALID)
