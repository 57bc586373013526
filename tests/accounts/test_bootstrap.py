"""``silolake bootstrap`` end to end against moto (organizations, sts, s3).

Each test builds the organization the ``org`` stack would have produced (OUs, the
account of an email-only silo in the silos OU) with plain boto3 calls, then runs
bootstrap. moto's organization, root, OU and account ids have the real AWS formats
(``o-`` + 10, ``r-`` + 4, ``ou-<4>-<8>``, 12 digits), so the lock's regexes need no
relaxing. moto does not enforce IAM, so an unassumable role is simulated by answering
``AssumeRole`` with AccessDenied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from silolake.accounts.bootstrap import BootstrapError, load_for_bootstrap, run
from silolake.aws import names
from silolake.catalog import load_catalog
from silolake.catalog.lock import read_lock
from silolake.cli import main
from silolake.release import rendering

moto = pytest.importorskip("moto")

MANAGEMENT = "123456789012"  # moto's caller account
ROLE = "OrganizationAccountAccessRole"
PREFIX = "acme-tfstate"

CATALOG = """\
version: 1
organization:
  name: acme
  management_account_id: "{management}"
  home_region: eu-west-1
  allowed_regions: [eu-west-1, eu-central-1]
  state_bucket_prefix: {prefix}
datalake_account:
  account_id: "{datalake}"
analytics:
  - name: bi
    account_id: "{bi}"
    reader_roles: [analyst]
    silos: all
silos:
  - name: sales
    account_id: "{sales}"
    region: eu-central-1
    owners: [alice@acme.example]
    flows:
      - name: orders
        source: api
        columns:
          - {{name: order_id, type: string}}
        keys: [order_id]
  - name: marketing
    email: aws-marketing@acme.example
    owners: [erin@acme.example]
    flows:
      - name: campaigns
        source: api
        columns:
          - {{name: campaign_id, type: string}}
        keys: [campaign_id]
"""


@dataclass
class World:
    path: Path
    lock: Path
    org_id: str
    root_id: str
    ous: dict[str, str]
    accounts: dict[str, str]  # who -> id ("datalake", "bi", "sales", "marketing")


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        yield


def _create_account(orgs, email: str, name: str, parent: str, root: str) -> str:
    status = orgs.create_account(Email=email, AccountName=name, RoleName=ROLE)["CreateAccountStatus"]
    account_id = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"][
        "AccountId"
    ]
    if parent != root:
        orgs.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    return account_id


def build_world(
    tmp_path: Path,
    *,
    ous: bool = True,
    marketing: bool = True,
    analytics_in_root: bool = False,
    management: str = MANAGEMENT,
) -> World:
    """What the org stack leaves behind (plus the pre-existing accounts), and the catalog."""
    orgs = boto3.client("organizations", region_name="us-east-1")
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou_ids = {}
    if ous:
        ou_ids["DataLake"] = orgs.create_organizational_unit(ParentId=root, Name="DataLake")["OrganizationalUnit"]["Id"]
        for name in ("Silos", "Analytics"):
            ou_ids[name] = orgs.create_organizational_unit(ParentId=ou_ids["DataLake"], Name=name)[
                "OrganizationalUnit"
            ]["Id"]
    silos_ou = ou_ids.get("Silos", root)
    accounts = {
        "datalake": _create_account(orgs, "datalake@acme.example", "datalake", root, root),
        "bi": _create_account(
            orgs, "bi@acme.example", "bi", root if analytics_in_root else ou_ids.get("Analytics", root), root
        ),
        "sales": _create_account(orgs, "sales@acme.example", "sales", silos_ou, root),
    }
    if marketing:  # the org stack's aws_organizations_account (e-mail in another case: AWS ignores case)
        accounts["marketing"] = _create_account(
            orgs, "AWS-Marketing@acme.example", "acme-silo-marketing", silos_ou, root
        )
    path = tmp_path / "silos.yaml"
    path.write_text(CATALOG.format(management=management, prefix=PREFIX, **accounts), encoding="utf-8")
    return World(path, tmp_path / "accounts.lock.json", org_id, root, ou_ids, accounts)


def session_in(account_id: str) -> boto3.Session:
    if account_id == MANAGEMENT:
        return boto3.Session()
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="test")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def bucket_state(account_id: str, region: str) -> dict:
    """Everything bootstrap promises about one state bucket, read from inside its account."""
    bucket = names.state_bucket(PREFIX, account_id, region)
    s3 = session_in(account_id).client("s3", region_name=region)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    return {
        "region": s3.get_bucket_location(Bucket=bucket)["LocationConstraint"],
        "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
        "sse": rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "public_access": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        "ownership": s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"],
        "policy": json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
    }


def cli(*args: str):
    return CliRunner().invoke(main, ["bootstrap", *args], catch_exceptions=False)


def bootstrap(world: World, **kwargs):
    lines: list[str] = []
    report = run(load_for_bootstrap(world.path), lock_path=world.lock, echo=lines.append, **kwargs)
    return report, lines


def expected_targets(world: World) -> list[tuple[str, str]]:
    a = world.accounts
    return [
        (MANAGEMENT, "eu-west-1"),
        (a["datalake"], "eu-west-1"),
        (a["sales"], "eu-central-1"),
        (a["marketing"], "eu-west-1"),
        (a["bi"], "eu-west-1"),
    ]


@pytest.mark.slow
def test_round_trip_records_ids_and_creates_guarded_state_buckets(aws, tmp_path):
    world = build_world(tmp_path)
    result = cli(str(world.path))
    assert result.exit_code == 0, result.output
    lock = read_lock(world.lock)
    assert lock.accounts == {"marketing": world.accounts["marketing"]}
    assert (lock.layout.org_id, lock.layout.root_id) == (world.org_id, world.root_id)
    assert (lock.layout.datalake_ou_id, lock.layout.silos_ou_id, lock.layout.analytics_ou_id) == (
        world.ous["DataLake"],
        world.ous["Silos"],
        world.ous["Analytics"],
    )
    for account_id, region in expected_targets(world):
        state = bucket_state(account_id, region)
        bucket = names.state_bucket(PREFIX, account_id, region)
        assert state["region"] == region
        assert state["versioning"] == "Enabled"
        assert state["sse"] == "AES256"
        assert state["public_access"] == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        assert state["ownership"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        [deny] = state["policy"]["Statement"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert deny["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    new_bucket = names.state_bucket(PREFIX, world.accounts["marketing"], "eu-west-1")
    assert f"create state bucket {new_bucket}" in result.output
    assert "warning" not in result.output
    # The catalog now resolves the silo: validate reads the lock bootstrap wrote.
    catalog = load_catalog(world.path)
    assert catalog.silo("marketing").account_id == world.accounts["marketing"]
    assert catalog.layout == lock.layout and not catalog.pending_silos


@pytest.mark.slow
def test_second_run_is_a_no_op(aws, tmp_path):
    world = build_world(tmp_path)
    first, _ = bootstrap(world)
    assert first.writes and first.lock_changed
    before = world.lock.read_bytes()
    second, lines = bootstrap(world)
    assert second.up_to_date and second.writes == [] and not second.lock_changed
    assert world.lock.read_bytes() == before
    assert lines[-1] == "up to date"
    assert CliRunner().invoke(main, ["bootstrap", str(world.path)]).output.strip().endswith("up to date")


def test_dry_run_plans_everything_and_changes_nothing(aws, tmp_path):
    world = build_world(tmp_path)
    report, lines = bootstrap(world, dry_run=True)
    assert report.writes == [] and not world.lock.exists()
    assert report.lock_changed and not report.up_to_date
    bucket = names.state_bucket(PREFIX, world.accounts["sales"], "eu-central-1")
    assert any(line.startswith("would ") and f"create state bucket {bucket}" in line for line in lines)
    assert any(line == f"would write {world.lock}" for line in lines)
    s3 = session_in(world.accounts["sales"]).client("s3", region_name="eu-central-1")
    assert s3.list_buckets()["Buckets"] == []


@pytest.mark.slow
def test_drift_is_reported_by_dry_run_then_repaired(aws, tmp_path):
    world = build_world(tmp_path)
    bootstrap(world)
    bucket = names.state_bucket(PREFIX, world.accounts["marketing"], "eu-west-1")
    s3 = session_in(world.accounts["marketing"]).client("s3", region_name="eu-west-1")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    extra = {
        "Sid": "KeepMe",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteBucket",
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [extra]}))
    plan, lines = bootstrap(world, dry_run=True)
    assert plan.writes == [] and not plan.lock_changed
    assert sorted(line.split(": ")[-1] for line in lines if line.startswith("would ")) == [
        "bucket policy denying non-TLS requests",
        "enable versioning",
    ]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    fixed, _ = bootstrap(world)
    assert sorted(fixed.writes) == ["PutBucketPolicy", "PutBucketVersioning"]
    state = bucket_state(world.accounts["marketing"], "eu-west-1")
    assert state["versioning"] == "Enabled"
    assert [s.get("Sid") for s in state["policy"]["Statement"]] == ["DenyInsecureTransport", "KeepMe"]


def test_policy_as_aws_may_rewrite_it_counts_as_present(aws, tmp_path):
    world = build_world(tmp_path)
    bootstrap(world)
    bucket = names.state_bucket(PREFIX, MANAGEMENT, "eu-west-1")
    s3 = boto3.client("s3", region_name="eu-west-1")
    rewritten = {
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*"],
            "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(rewritten))
    again, _ = bootstrap(world)
    assert again.up_to_date and again.writes == []


def test_missing_ous_mean_the_org_stack_is_not_applied(aws, tmp_path):
    world = build_world(tmp_path, ous=False, marketing=False)
    result = cli(str(world.path))
    assert result.exit_code == 2
    assert "organizational unit 'DataLake' not found" in result.output and "apply the org stack first" in result.output
    assert "no account in organization" in result.output and "silo 'marketing'" in result.output
    assert "Traceback" not in result.output and not world.lock.exists()
    # First run ever: the org stack needs its own state bucket before it can be applied.
    assert bucket_state(MANAGEMENT, "eu-west-1")["versioning"] == "Enabled"
    assert bucket_state(world.accounts["sales"], "eu-central-1")["sse"] == "AES256"


def test_email_silo_without_account_is_a_clear_error(aws, tmp_path):
    world = build_world(tmp_path, marketing=False)
    result = cli(str(world.path), "--dry-run")
    assert result.exit_code == 2
    assert "silo 'marketing' (aws-marketing@acme.example)" in result.output
    assert "apply the org" in result.output and "Traceback" not in result.output


def test_wrong_credentials_are_refused(aws, tmp_path):
    world = build_world(tmp_path, management="999999999999")
    result = cli(str(world.path))
    assert result.exit_code == 2
    assert "credentials are for account 123456789012" in result.output and "999999999999" in result.output


def test_unassumable_deploy_role_names_account_and_role(aws, tmp_path):
    world = build_world(tmp_path)

    class Denied:
        status_code = 403

    def deny(**_kwargs):
        return Denied(), {
            "Error": {"Code": "AccessDenied", "Message": "not authorized to perform sts:AssumeRole"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    session = boto3.Session()
    session.events.register("before-call.sts.AssumeRole", deny)
    with pytest.raises(BootstrapError) as err:
        run(load_for_bootstrap(world.path), lock_path=world.lock, session=session, echo=lambda _: None)
    datalake = world.accounts["datalake"]
    assert f"arn:aws:iam::{datalake}:role/{ROLE} in account {datalake} (AccessDenied" in str(err.value)
    assert not world.lock.exists()


def test_accounts_outside_their_ou_get_a_move_command(aws, tmp_path):
    world = build_world(tmp_path, analytics_in_root=True)
    report, lines = bootstrap(world)
    bi = world.accounts["bi"]
    assert report.warnings == [
        f"analytics consumer 'bi': account {bi} is in {world.root_id}, not in {world.ous['Analytics']}, so OU-scoped "
        f"sharing and guardrails miss it: aws organizations move-account --account-id {bi} "
        f"--source-parent-id {world.root_id} --destination-parent-id {world.ous['Analytics']}"
    ]
    assert f"warning: {report.warnings[0]}" in lines


def test_retired_accounts_stay_in_the_lock(aws, tmp_path):
    """A removed silo's id stays recorded: the org stack keeps forgetting, never destroying, it."""
    world = build_world(tmp_path)
    world.lock.write_text(json.dumps({"version": 1, "accounts": {"crm": "888888888888"}}))
    bootstrap(world)
    assert read_lock(world.lock).accounts == {"crm": "888888888888", "marketing": world.accounts["marketing"]}
    assert load_catalog(world.path).retired_accounts == (("crm", "888888888888"),)


def test_a_damaged_lock_is_regenerated(aws, tmp_path):
    world = build_world(tmp_path)
    world.lock.write_text('{"version": 0}\n')
    assert cli(str(world.path), "--lock", str(world.lock)).exit_code == 0
    assert read_lock(world.lock).accounts == {"marketing": world.accounts["marketing"]}


@pytest.mark.slow
def test_synth_after_bootstrap_deploys_the_new_silo(aws, tmp_path):
    from tests.conftest import synthesize_catalog

    world = build_world(tmp_path)
    assert cli(str(world.path)).exit_code == 0
    synth = synthesize_catalog(load_catalog(world.path), tmp_path / "cdktf.out")
    marketing = world.accounts["marketing"]
    assert "silo-marketing" in synth.stack_names
    stack = synth.stack("silo-marketing")
    [provider] = stack["provider"]["aws"]
    assert provider["allowed_account_ids"] == [marketing]
    assert rendering.provider_role_arn(stack) == f"arn:aws:iam::{marketing}:role/{ROLE}"
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["bucket"] == names.state_bucket(PREFIX, marketing, "eu-west-1")
    assert backend["key"] == names.state_key("silo-marketing")


def test_missing_credentials_are_a_clear_error(tmp_path):
    import botocore.credentials
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("credential_provider", botocore.credentials.CredentialResolver(providers=[]))
    path = tmp_path / "silos.yaml"
    path.write_text(
        CATALOG.format(
            management=MANAGEMENT, prefix=PREFIX, datalake="222222222222", bi="333333333333", sales="444444444444"
        ),
        encoding="utf-8",
    )
    with pytest.raises(BootstrapError, match=f"no AWS credentials found.*management account {MANAGEMENT}"):
        run(
            load_for_bootstrap(path),
            lock_path=tmp_path / "lock.json",
            session=boto3.Session(botocore_session=core),
            echo=lambda _: None,
        )
