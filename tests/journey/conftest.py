"""One silo of the example (``sales``) deployed in moto, its functions wired as in Lambda.

- ``delivery``: the example synthesized once (``example_synth``) and delivered by Terraform
  core, with the sales silo key's ARN resolved to the moto key's, its flow API's id and SFTP
  server's ARN to fixed values (the only references a journey reads).
- ``silo``: what Terraform would create in the silo's account, each from its delivered
  resource: the dropzone and raw buckets, the partner permissions boundary (the delivered
  document), the lockout table, and the environment of the partner and landing functions
  (the delivered ``environment.variables``). The partner functions run through their real
  ``handler.py`` (admin, session, identity provider), the landing function through its own.
- :meth:`Silo.decide` evaluates a partner's requests with the offline IAM engine against
  the role's inline policy and permissions boundary as IAM holds them (created by the admin
  function's CloudFormation stack), the session policy the session function or the identity
  provider handed out, the delivered bucket and key policies, and the delivered SCPs of the
  Silos OU.

Speed: one moto mock, one synth, one delivery and one Spark session for every journey.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from moto import mock_aws

from silolake.aws import names, partner_access_names
from silolake.runtime import runtime_path

from ..delivered import Delivery, deliver
from ..iam.iam_sim import simulate
from ..runtime.conform.conftest import spark  # noqa: F401 - the conform tests' one Spark session
from ..runtime.partner.conftest import Context, http_event, load_handler
from . import lake

ORG, SILO, STACK, ACCOUNT, REGION = "acme", "sales", "silo-sales", "444444444444", "eu-west-1"
API_ID = "a1b2c3d4e5"
SERVER_ID = "s-0123456789abcdef0"
PARTNER_IP = "203.0.113.10"  # inside the silo's allowed CIDRs (silos.yaml)
STAFF = {"email": "owner@acme.example", "sub": "5b1c0e4e-0000-4000-8000-000000000001"}
#: When the journeys' files arrive (landing partitions by the event's time).
ARRIVAL = dt.datetime(2026, 5, 4, 9, 30, 12, tzinfo=dt.UTC)
ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"
TAG_USERNAME = "silolake:partner-username"


def _resolver(key_arn: str):
    """The deployed silo's key is the moto key and its SFTP server's ARN a fixed value; other
    stacks' keys stay placeholders (not deployed). Every flow API gets one fixed id (an
    ``execute-api`` ARN needs one; the account in the ARN tells the APIs apart)."""

    def resolve(asked: str) -> str | None:  # "<stack>:<expression>", then "<expression>"
        stack, _, expr = asked.partition(":") if asked.startswith("silo-") else ("", "", asked)
        rtype, _, attr = (expr.split(".") + ["", ""])[:3]
        if (rtype, attr) == ("aws_api_gateway_rest_api", "id"):
            return API_ID
        if stack != STACK:
            return None
        return {
            ("aws_kms_key", "arn"): key_arn,
            ("aws_transfer_server", "arn"): f"arn:aws:transfer:{REGION}:{ACCOUNT}:server/{SERVER_ID}",
        }.get((rtype, attr))

    return resolve


@dataclass(frozen=True)
class Request:
    """One API call of a partner's client as IAM authorizes it."""

    name: str
    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """A partner's session: the role as IAM holds it, plus the session policy it was given."""

    username: str
    role_arn: str
    principal: str  # the assumed-role session ARN
    role_policies: list[dict]
    boundary: dict
    tags: dict[str, str]
    session_policy: dict | None


@dataclass
class Silo:
    aws: Any  # the boto3 session every function's client comes from
    delivery: Delivery
    key_arn: str
    env: dict[str, str]  # the partner functions' environment
    landing_env: dict[str, str]
    partner: ModuleType  # silolake/runtime/lambda/partner/handler.py
    landing: ModuleType  # silolake/runtime/lambda/landing/handler.py
    root: Path  # local copies of buckets, where the conform job reads and writes
    owners_queue: str  # an SQS queue subscribed to the owners' quarantine topic
    assumed: list[dict[str, Any]] = field(default_factory=list)  # AssumeRole calls of the session function

    @property
    def dropzone(self) -> str:
        return self.env["DROPZONE_BUCKET"]

    @property
    def raw(self) -> str:
        return self.landing_env["RAW_BUCKET"]

    def client(self, service: str) -> Any:
        return self.aws.client(service, region_name=REGION)

    # -- the partner functions -----------------------------------------------------------
    def create_credential(self, username: str, channels: list[str]) -> str:
        """The silo owner creates a credential through the admin API; returns the password."""
        event = http_event("POST", "/credentials", {"username": username, "expiry_days": 7, "channels": channels})
        event["requestContext"]["authorizer"] = {"jwt": {"claims": STAFF, "scopes": None}}
        with _environment(self.env):
            response = self.partner.admin_handler(event, Context())
        body = json.loads(response["body"])
        assert response["statusCode"] == 201, body
        return str(body["password"])

    def open_session(self, username: str, password: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """``POST /session`` from the partner's address: the answer, and the ``AssumeRole`` call the
        session function made (``Policy``: the session policy, ``RoleSessionName``)."""
        before = len(self.assumed)
        event = http_event("POST", "/session", {"username": username, "password": password}, source_ip=PARTNER_IP)
        with _environment(self.env):
            response = self.partner.session_handler(event, Context())
        body = json.loads(response["body"])
        assert response["statusCode"] == 200, body
        [call] = self.assumed[before:]
        return body, call

    def sftp_login(self, username: str, password: str) -> dict[str, str]:
        """What the identity provider answers Transfer Family for an SFTP password login."""
        event = {
            "username": username,
            "password": password,
            "protocol": "SFTP",
            "serverId": SERVER_ID,
            "sourceIp": PARTNER_IP,
        }
        with _environment(self.env):
            answer: dict[str, str] = self.partner.idp_handler(event, Context())
        assert answer.get("Role"), answer
        return answer

    def identity(self, username: str, session_name: str, session_policy: dict | None) -> Identity:
        """The partner role as IAM holds it after the admin function's stack created it."""
        iam = self.client("iam")
        found = [
            r for r in iam.list_roles(PathPrefix="/silolake/partner/")["Roles"] if r["RoleName"].endswith(username)
        ]
        role = iam.get_role(RoleName=lake.one(found, f"partner roles of {username}")["RoleName"])["Role"]
        inline = [
            iam.get_role_policy(RoleName=role["RoleName"], PolicyName=p)["PolicyDocument"]
            for p in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
        ]
        boundary_arn = role["PermissionsBoundary"]["PermissionsBoundaryArn"]
        version = iam.get_policy(PolicyArn=boundary_arn)["Policy"]["DefaultVersionId"]
        boundary = iam.get_policy_version(PolicyArn=boundary_arn, VersionId=version)["PolicyVersion"]["Document"]
        return Identity(
            username=username,
            role_arn=role["Arn"],
            principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/{role['RoleName']}/{session_name}",
            role_policies=[_document(p) for p in inline],
            boundary=_document(boundary),
            tags={t["Key"]: t["Value"] for t in role.get("Tags", [])},
            session_policy=session_policy,
        )

    # -- IAM -----------------------------------------------------------------------------
    def resource_policy(self, resource: str) -> dict | None:
        if resource.startswith("arn:aws:s3:::"):
            return lake.bucket_policy(self.delivery, resource.removeprefix("arn:aws:s3:::").split("/")[0])[1]
        if resource == self.key_arn:
            return lake.key_policy(self.delivery, STACK)
        return None  # execute-api: the flow API has no resource policy; IAM alone decides

    def decide(self, who: Identity, requests: list[Request]) -> dict[str, str]:
        scps = self.delivery.scps("Silos")  # every silo account sits in the Silos OU
        cases = []
        for r in requests:
            case: dict[str, Any] = {
                "name": r.name,
                "principal": who.principal,
                "action": r.action,
                "resource": r.resource,
                "resourceAccount": _account(r.resource),
                "identityPolicies": who.role_policies,
                "permissionBoundaries": [who.boundary],
                "resourcePolicy": self.resource_policy(r.resource),
                "scps": scps,
                "context": {
                    "aws:SecureTransport": "true",
                    "aws:RequestedRegion": REGION,
                    **{f"aws:PrincipalTag/{k}": v for k, v in who.tags.items()},
                    **r.context,
                },
            }
            if who.session_policy is not None:
                case["sessionPolicy"] = who.session_policy
            cases.append(case)
        return {r["name"]: r["decision"] for r in simulate(cases)}

    # -- after the upload ----------------------------------------------------------------
    def land(self, key: str) -> dict[str, str]:
        """S3's "Object Created" event for ``key`` of the dropzone, handled by the landing function."""
        head = self.client("s3").head_object(Bucket=self.dropzone, Key=key)
        event = {
            "version": "0",
            "id": "journey",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": ACCOUNT,
            "time": ARRIVAL.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:s3:::{self.dropzone}"],
            "detail": {
                "version": "0",
                "bucket": {"name": self.dropzone},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "version-id": head.get("VersionId"),
                    "sequencer": "00",
                },
                "reason": "PutObject",
            },
        }
        with _environment(self.landing_env):
            return self.landing.lambda_handler(event, Context())  # type: ignore[no-any-return]

    def owners_notices(self) -> list[dict[str, Any]]:
        """The messages the owners' topic delivered since the last call."""
        sqs = self.client("sqs")
        found = sqs.receive_message(QueueUrl=self.owners_queue, MaxNumberOfMessages=10).get("Messages", [])
        for m in found:
            sqs.delete_message(QueueUrl=self.owners_queue, ReceiptHandle=m["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in found]

    def status(self, key: str) -> dict[str, Any]:
        """The status record landing wrote for the dropzone object ``key`` (what the partner reads)."""
        from landing.rules import status_key  # the landing function's own layout of the records

        record = status_key(key)
        assert record is not None, key
        body = self.client("s3").get_object(Bucket=self.dropzone, Key=record)["Body"].read()
        return json.loads(body)  # type: ignore[no-any-return]

    def conform(self, spark_session: Any, flow: str) -> tuple[Any, list[dict[str, Any]]]:
        """The flow's conform job (its delivered ``--flow_spec``) over a copy of the raw bucket,
        and the processed rows as DuckDB reads them with the synthesized table types."""
        from conform import conform
        from conform_spec import parse_spec

        lake.download(self.client("s3"), self.raw, f"{flow}/", self.root)
        spec = lake.flow_spec(self.delivery, STACK, flow, self.root)
        result = conform(spark_session, parse_spec(spec))
        return result, lake.read_processed(self.delivery, STACK, flow, spec)


def _account(resource: str) -> str:
    """The account a resource is in: a silo bucket's name carries it (``names.silo_bucket``)."""
    if resource.startswith("arn:aws:s3:::"):
        bucket = resource.removeprefix("arn:aws:s3:::").split("/")[0]
        return lake.one([p for p in bucket.split("-") if re.fullmatch(r"\d{12}", p)], f"accounts in {bucket}")  # type: ignore[no-any-return]
    return resource.split(":")[4]


def _document(policy: Any) -> dict:
    """A policy document as IAM returns it: parsed by boto3, URL-encoded JSON text, or (moto's
    CloudFormation stores a template's policy dict as its Python ``repr``) a dict literal."""
    if isinstance(policy, dict):
        return policy
    text = unquote(policy)
    return json.loads(text) if text.lstrip().startswith('{"') else ast.literal_eval(text)  # type: ignore[no-any-return]


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """The function's own environment while it runs (the partner and landing functions both
    read ``FLOWS``, each in its own shape)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in variables.items():
            mp.setenv(name, value)
        yield


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="package")
def aws():
    """moto for the journeys, as the silo's account; one boto3 session for every client."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(name, "testing")
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
        with mock_aws():
            boto3.setup_default_session(region_name=REGION)
            yield boto3.DEFAULT_SESSION
            boto3.DEFAULT_SESSION = None


@pytest.fixture(scope="package")
def key_arn(aws: Any) -> str:
    return str(aws.client("kms").create_key(Description=f"silo key of {SILO}")["KeyMetadata"]["Arn"])


@pytest.fixture(scope="package")
def delivery(example_synth: Any, key_arn: str, tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    return deliver(example_synth, tmp_path_factory.mktemp("journey-delivered"), _resolver(key_arn))


def _provision(aws: Any, delivery: Delivery, env: dict[str, str], landing_env: dict[str, str]) -> str:
    """What Terraform creates in the silo account and the journeys use, from the delivered
    resources; returns the URL of a queue subscribed to the owners' quarantine topic."""
    raw = landing_env["RAW_BUCKET"]
    s3 = aws.client("s3")
    for bucket in (env["DROPZONE_BUCKET"], raw):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    boundary = lake.one(
        [
            p
            for p in delivery.resources(STACK, "aws_iam_policy").values()
            if env["PERMISSIONS_BOUNDARY_ARN"].endswith(f":policy{p['path']}{p['name']}")
        ],
        "partner boundaries",
    )
    aws.client("iam").create_policy(
        PolicyName=boundary["name"], Path=boundary["path"], PolicyDocument=boundary["policy"]
    )
    table = lake.one(
        [t for t in delivery.resources(STACK, "aws_dynamodb_table").values() if t["name"] == env["LOCKOUT_TABLE"]],
        "lockout tables",
    )
    db = aws.client("dynamodb")
    db.create_table(
        TableName=table["name"],
        BillingMode=table["billing_mode"],
        AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in table["attribute"]],
        KeySchema=[{"AttributeName": table["hash_key"], "KeyType": "HASH"}],
    )
    db.update_time_to_live(
        TableName=table["name"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl"]["attribute_name"]},
    )
    topic_arn = landing_env["QUARANTINE_TOPIC_ARN"]
    topic = lake.one(
        [t for t in delivery.resources(STACK, "aws_sns_topic").values() if topic_arn.endswith(f":{t['name']}")],
        "quarantine topics",
    )
    assert aws.client("sns").create_topic(Name=topic["name"])["TopicArn"] == topic_arn
    queue = aws.client("sqs").create_queue(QueueName="owners")["QueueUrl"]
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    aws.client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return str(queue)


@pytest.fixture(scope="package")
def silo(aws: Any, delivery: Delivery, key_arn: str, tmp_path_factory: pytest.TempPathFactory):
    env = lake.function_env(delivery, STACK, partner_access_names.partner_function(ORG, SILO, "admin"))
    landing_env = lake.function_env(delivery, STACK, names.etl_silo_name(SILO, "landing"))
    owners = _provision(aws, delivery, env, landing_env)
    assumed: list[dict[str, Any]] = []
    aws.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: assumed.append(dict(params)))
    yield Silo(
        aws=aws,
        delivery=delivery,
        key_arn=key_arn,
        env=env,
        landing_env=landing_env,
        partner=load_handler(),
        landing=_load("landing_handler", runtime_path("lambda", "landing") / "handler.py"),
        root=tmp_path_factory.mktemp("buckets"),
        owners_queue=owners,
        assumed=assumed,
    )
