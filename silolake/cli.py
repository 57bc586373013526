"""``silolake`` command line: validate, synth, bootstrap, stacks, portal.

Exit codes: README.md, "Exit codes" (:mod:`silolake.errors`). Every command lets a
:class:`~silolake.errors.SilolakeError` propagate to the group's one handler
(:class:`~silolake.cli_common.SilolakeGroup`), which prints it without a traceback and
exits with its code; the traceback of an unexpected internal error is kept, because that
one is a bug to report.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import click

from .catalog import CatalogError, load_catalog
from .cli_common import SilolakeGroup, catalog_path, err, out
from .errors import UsageError


@click.group(cls=SilolakeGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    catalog = load_catalog(path)
    _check_changes(catalog, path, base, Path("cdktf.out"))
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
    from .catalog.changes.history import base_changes, load_base
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
    if catalog.master_pipeline is not None:
        from .names import MASTER_BUILDSPEC as BUILDSPEC

        root = Path(catalog.source).parent
        spec = root / BUILDSPEC
        if not spec.is_file():
            err.print(
                f"notice: delivery.pipeline is set, but {spec} does not exist: the master build reads it from the "
                "source (silolake init writes one for a catalog repository)",
                markup=False,
            )
        elif (
            "scripts/dev.py" in spec.read_text(encoding="utf-8", errors="replace")
            and not (root / "scripts" / "dev.py").is_file()
        ):
            err.print(
                f"notice: {spec} runs scripts/dev.py, which this repository does not have: the master build "
                "would fail (silolake init writes a buildspec for a catalog repository)",
                markup=False,
            )


def _emit(text: str, out_file: Path | None) -> None:
    """Write a command's Markdown report to ``out_file``, or to standard output."""
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


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
@click.option(
    "--stack",
    "stack_patterns",
    multiple=True,
    metavar="NAME",
    help="Only this stack (repeatable; globs such as 'silo-*'). Other stacks' output is left as it was.",
)
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes; each starts the engine once and builds its share of the stacks.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Give up after this many seconds.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Synth cache: stacks whose inputs are unchanged are copied from here (default: OUT/.synth-cache).",
)
@click.option("--no-cache", is_flag=True, help="Synthesize every selected stack; neither read nor write the cache.")
def synth(
    path: Path,
    out_dir: Path,
    stack_patterns: tuple[str, ...],
    jobs: int,
    timeout: float | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Validate the catalog and synthesize one Terraform stack per account."""
    catalog = load_catalog(path)
    _check_changes(catalog, path, None, out_dir)
    _notices(catalog, synth=True)
    from .feedback import stack_progress, synth_notices
    from .synth import synthesize  # the engine itself is imported where stacks are built
    from .synth_cache import SynthCache, default_cache_dir

    cache = None if no_cache else SynthCache(cache_dir or default_cache_dir(out_dir))

    started = time.perf_counter()
    for notice in synth_notices(catalog):
        err.print(f"notice: {notice}", markup=False)
    with stack_progress(err) as on_stack:
        summaries = synthesize(
            catalog,
            out_dir,
            stacks=stack_patterns or None,
            jobs=jobs,
            timeout=timeout,
            on_stack=on_stack,
            cache=cache,
        )
    from .catalog.changes import write_manifest

    write_manifest(out_dir, catalog)
    for s in summaries:
        out.print(f"  {s.name:<28} {s.resources:>4} resources  {s.path.parent}", markup=False)
    cached = f" ({cache.hits} from the cache in {cache.root})" if cache and cache.hits else ""
    out.print(
        f"Synthesized {len(summaries)} stacks into {out_dir.resolve()} in {time.perf_counter() - started:.1f}s"
        + cached,
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
    from .ops.bootstrap import load_for_bootstrap, run

    lock_file = lock_file or lock_path_for(path)
    catalog = load_for_bootstrap(path)
    run(catalog, lock_path=lock_file, dry_run=dry_run, echo=lambda line: out.print(line, markup=False))


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

    from .catalog.topology import stack_targets

    catalog = load_catalog(path)
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
    from .ops.init import REQUIREMENTS_LOCK, Company, init_repository

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


@main.command("plan-summary")
@click.argument("plans", nargs=-1, required=True, metavar="[STACK=]PLAN.json...")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown here.")
def plan_summary(plans: tuple[str, ...], out_file: Path | None) -> None:
    """Summarize `terraform show -json` plans as Markdown, flagging data loss, policy growth, sharing.

    The stack name is STACK= when given, else the file's name (plans/silo-sales.json) or its
    directory's (stacks/silo-sales/plan.json)."""
    from .ops.plan_summary import render_markdown, summarize_files

    markdown = render_markdown(summarize_files(plans))
    _emit(markdown, out_file)


@main.command()
@catalog_path
@click.option("--base", required=True, metavar="GIT-REF", help="Revision to compare with (e.g. origin/main).")
@click.option("--json", "as_json", is_flag=True, help="Print the affected stacks as `silolake stacks --json` does.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Keep the head's synthesized candidate stacks here (CI plans from it without a second synth).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Synth cache for base and head (default: OUT/.synth-cache with --out, else none).",
)
def affected(path: Path, base: str, as_json: bool, out_dir: Path | None, cache_dir: Path | None) -> None:
    """Stacks whose synthesized Terraform differs from the base revision's (content hash per stack)."""
    import json

    from .catalog.topology import stack_targets
    from .ops.affected import affected as compute
    from .synth_cache import default_cache_dir

    cache_dir = cache_dir or (default_cache_dir(out_dir) if out_dir else None)
    result = compute(path, base, head_out=out_dir, cache_dir=cache_dir)
    for name in result.removed:
        err.print(f"notice: stack '{name}' exists at {base} but no longer in the catalog (not planned)", markup=False)
    if as_json:
        targets = [t.as_dict() for t in stack_targets(load_catalog(path)) if t.name in result.stacks]
        click.echo(json.dumps(targets, separators=(",", ":")))
        return
    scope = "framework code changed: every stack was a candidate" if result.framework_changed else "catalog diff"
    out.print(f"{len(result.stacks)} affected of {len(result.candidates)} candidate(s) ({scope})", markup=False)
    for name in result.stacks:
        out.print(f"  {name:<28} {result.reasons[name]}", markup=False)


@main.command("access-diff")
@catalog_path
@click.option("--base", required=True, metavar="GIT-REF", help="Revision to compare with (e.g. origin/main).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown here.")
def access_diff(path: Path, base: str, out_file: Path | None) -> None:
    """Who gains or loses read access to silo data, evaluated with the offline IAM engine.

    Exit 2 when the inputs cannot support an answer (no organization ids in the lock file
    before `silolake bootstrap`); a silo a consumer reads without an account yet is named
    as not evaluated."""
    from .ops.access_diff import access_diff as compute
    from .ops.access_diff import render_markdown, require_organization, unevaluated
    from .ops.affected import comparison

    require_organization(load_catalog(path))  # before synthesizing anything
    with comparison(path, base) as cmp:
        changes = compute(cmp)
        not_evaluated = unevaluated(cmp.head)
    for line in not_evaluated:
        err.print(f"notice: {line}", markup=False)
    _emit(render_markdown(changes, not_evaluated), out_file)


@main.command()
@catalog_path
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg"]), default="mermaid", show_default=True)
@click.option("--highlight", default="", metavar="STACK,...", help="Outline these stacks (e.g. the affected ones).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the diagram here.")
def diagram(path: Path, fmt: str, highlight: str, out_file: Path | None) -> None:
    """Draw the organization, OUs, accounts, silos, flows, channels and who may read what."""
    from .ops.diagram import build, to_mermaid, to_svg

    catalog = load_catalog(path)
    graph = build(catalog, [h for h in highlight.split(",") if h])
    text = to_svg(graph) if fmt == "svg" else "```mermaid\n" + to_mermaid(graph) + "```\n"
    if out_file:
        out_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--out", "out_dir", default="cdktf.out", show_default=True, type=click.Path(path_type=Path))
@click.option("--dest", default="bundles", show_default=True, type=click.Path(path_type=Path))
@click.option("--commit", required=True, help="Source commit recorded in each manifest.")
@click.option("--stack", "stack_names", multiple=True, help="Only these stacks (default: every synthesized stack).")
@click.option(
    "--sequence",
    type=click.IntRange(min=0),
    default=None,
    help="Order of the commit (its committer time, epoch seconds): silo pipelines refuse an older one.",
)
def bundle(out_dir: Path, dest: Path, commit: str, stack_names: tuple[str, ...], sequence: int | None) -> None:
    """Package each synthesized stack as DEST/<stack>/bundle.zip (reproducible, with a manifest)."""
    from .ops.stack_bundles import build_all

    try:
        built = build_all(out_dir, dest, commit=commit, stacks=list(stack_names) or None, sequence=sequence)
    except FileNotFoundError as exc:  # no synthesized stacks in OUT_DIR: the user's to fix
        raise UsageError(str(exc)) from exc
    for b in built:
        out.print(f"  {b.stack:<28} {b.content_sha256[:16]}  {b.path}", markup=False)


@main.command("verify-bundle")
@click.argument("bundle_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stack", default=None, help="Refuse a bundle of another stack.")
@click.option("--commit", default=None, help="Refuse a bundle built from another commit.")
def verify_bundle(bundle_zip: Path, stack: str | None, commit: str | None) -> None:
    """Check a bundle's files against its manifest (exit 2 on any mismatch)."""
    from .ops.stack_bundles import verify

    manifest = verify(bundle_zip, stack=stack, commit=commit)
    out.print(f"{bundle_zip}: {manifest['stack']} at {manifest['commit']}, {len(manifest['files'])} file(s) verified")


@main.command()
@click.argument("stack_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--in-account",
    is_flag=True,
    required=True,
    help="Write the override that deploys with the runner's own credentials (no deploy role).",
)
def render(stack_dir: Path, in_account: bool) -> None:
    """Render a synthesized stack for a runner already inside its account (exit 2 if not a stack)."""
    from .release.rendering import write_in_account

    written = write_in_account(stack_dir)
    out.print(f"{written}: provider and state backend use this runner's credentials", markup=False)


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command()
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo whose partner flow to run.")
@click.option("--port", default=8765, show_default=True, help="Port of the pages and API on 127.0.0.1 (0: any free).")
@click.option("--aws-port", default=0, show_default=True, help="Port of the local AWS (moto) server (0: any free).")
def portal(path: Path, silo_name: str, port: int, aws_port: int) -> None:
    """Run a silo's partner pages, API and a local AWS on 127.0.0.1 until Ctrl-C."""
    catalog = load_catalog(path)
    if all(s.name != silo_name for s in catalog.silos):
        raise UsageError(f"{path}: no silo named '{silo_name}'")
    from .ops import portal as local

    if local.missing_requirements():  # moto and Powertools come with the `portal` extra only
        raise UsageError("silolake portal needs the portal extra: pip install 'silolake[portal]'")
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
    except ValueError as exc:  # the silo cannot run locally as configured (the message says why)
        raise UsageError(str(exc)) from exc


@main.command("quicksight-policy")
@catalog_path
@click.option("--silo", "silo_name", required=True, help="The silo whose QuickSight data source to serve.")
def quicksight_policy(path: Path, silo_name: str) -> None:
    """Print the IAM policy for QuickSight's service role in a silo account (stdout) and the
    command that puts it on the role (stderr).

    The silo stack already grants the role (bucket and key policies); this is the same access
    as an identity policy, for QuickSight's own "S3 buckets" permissions (docs/etl.md).
    """
    from .catalog.model import DeployedSilo
    from .policy import quicksight

    catalog = load_catalog(path)
    silo = next((s for s in catalog.silos if s.name == silo_name), None)
    if silo is None:
        raise UsageError(f"{path}: no silo named '{silo_name}'")
    if not isinstance(silo, DeployedSilo):
        raise UsageError(f"silo '{silo_name}' has no account id yet (run silolake bootstrap)")
    if not quicksight.wanted(silo):
        raise UsageError(f"silo '{silo_name}' has no flow with quicksight: true")
    click.echo(json.dumps(quicksight.role_policy(catalog.organization.name, silo), indent=2, sort_keys=True))
    # The policy alone on stdout (redirect it into the file); the command on stderr.
    err.print(
        f"# In account {silo.account_id}, with the policy above saved as {quicksight.INLINE_POLICY}.json:\n"
        f"aws iam put-role-policy --role-name {quicksight.SERVICE_ROLE} "
        f"--policy-name {quicksight.INLINE_POLICY} --policy-document file://{quicksight.INLINE_POLICY}.json",
        markup=False,
    )


# Publishing commands live in their own module.
from .cli_publish import COMMANDS as _PUBLISH_COMMANDS  # noqa: E402

for _command in _PUBLISH_COMMANDS:
    main.add_command(_command)
