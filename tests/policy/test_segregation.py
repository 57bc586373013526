"""Segregation proof: the *delivered* sharing policies, evaluated by a real IAM engine.

Policies are read from the example's synthesized Terraform JSON as Terraform core delivers it
(``example_delivery``; bucket, key and Glue resource policies found by the AWS names they
protect), never from ``silolake.policy.sharing`` directly, so the proof covers what would be
deployed. Cases are generated from the
catalog: every deployable silo, every analytics consumer and reader role, so the proof
grows with the catalog.

Callers' identity policies (a cross-account request needs the caller's own IAM too):

* denial cases give the caller a *broad* allow (``s3:*``, ``kms:*``, ``glue:*`` on
  ``*``): whatever the caller's account grants, the resource side must refuse;
* analytics reader allow cases use the synthesized reader managed policy of the
  consumer's stack (results-key ARNs, known after apply, replaced by an ARN), proving both halves fit;
* silo pipeline allow cases use the broad allow: pipeline roles belong to the silo
  stacks, and the point here is what the central resource policies accept.

Request context is what AWS would set: ``aws:PrincipalOrgPaths`` (the account's OU path),
``aws:PrincipalOrgID``, ``aws:SecureTransport`` and, for KMS calls S3 or Glue make on a
caller's behalf, ``kms:ViaService``. The harness derives ``aws:PrincipalArn``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from silolake.aws import delivery_names, names
from silolake.catalog.model import Catalog, Silo
from tests.iam.iam_sim import simulate
from tests.stackjson import bucket_key_policy, bucket_policy, glue_resource_policy, resources

pytestmark = pytest.mark.slow

KEY_ID = "0c0ffee0-0000-4000-8000-000000000000"  # key ids are not known before apply
#: A key's ARN in a delivered policy: known after apply, a placeholder (:mod:`tests.delivered`).
_KEY_REF = re.compile(r"tfref:aws_kms_key\.[A-Za-z0-9_-]+\.arn")
OUTSIDER_ORG = "o-zzzzzzzzzz"
BROAD = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "WorstCaseCaller", "Effect": "Allow", "Action": ["s3:*", "kms:*", "glue:*"], "Resource": "*"}
    ],
}
ALLOWED, DENIED, EXPLICIT = "Allowed", "denied", "ExplicitlyDenied"


@dataclass
class Proof:
    catalog: Catalog
    cases: list[dict] = field(default_factory=list)
    expected: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (group, expectation)

    def add(
        self,
        group: str,
        expect: str,
        name: str,
        *,
        principal: str,
        action: str,
        resource: str,
        account: str,
        resource_policy: dict | None,
        identity: dict | None = None,
        paths: list[str] | None = None,
        org_id: str | None = None,
        tls: bool = True,
        via: str | None = None,
        extra: dict | None = None,
    ) -> None:
        context = {"aws:SecureTransport": "true" if tls else "false", **(extra or {})}
        if principal != "*":
            context["aws:PrincipalOrgPaths"] = paths
            context["aws:PrincipalOrgID"] = org_id or self.catalog.layout.org_id
        if via:
            context["kms:ViaService"] = via
        case = {
            "name": f"{group}: {name}",
            "principal": principal,
            "action": action,
            "resource": resource,
            "resourceAccount": account,
            "resourcePolicy": resource_policy,
            "context": context,
            "identityPolicies": [] if principal == "*" else [identity or BROAD],
        }
        self.cases.append(case)
        self.expected[case["name"]] = (group, expect)


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def key_arn(region: str, account: str) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{KEY_ID}"


def reader_identity(synth, consumer) -> dict:
    [pol] = resources(synth.stack(consumer.stack_name), "aws_iam_policy").values()
    text = _KEY_REF.sub(key_arn(consumer.region, consumer.account_id), pol["policy"])
    return json.loads(text)


def artifacts_cases(proof: Proof, synth) -> None:
    catalog, layout = synth.catalog, synth.catalog.layout
    dl = catalog.datalake
    bucket = names.account_bucket(catalog.organization.name, "artifacts", dl.account_id, dl.region)
    stack = synth.stack("datalake")
    bpol, kpol = bucket_policy(stack, bucket), bucket_key_policy(stack, bucket)
    bkt = f"arn:aws:s3:::{bucket}"
    key = key_arn(dl.region, dl.account_id)
    via = f"s3.{dl.region}.amazonaws.com"
    s3 = dict(account=dl.account_id, resource_policy=bpol)
    kms = dict(account=dl.account_id, resource_policy=kpol, action="kms:Decrypt", resource=key)
    add = proof.add
    for silo in catalog.deployable_silos:
        # Each silo's own bundles (bundles/<its account>/...): what its pipeline may read.
        obj = f"arn:aws:s3:::{bucket}/{delivery_names.bundle_prefix(silo.account_id)}etl/job.py"
        pipeline = role(silo.account_id, names.silo_role(silo.name, "pipeline"))
        inside = dict(principal=pipeline, paths=[layout.silos_path])
        g = f"artifacts/{silo.name}"
        add(g, ALLOWED, "pipeline reads a bundle", action="s3:GetObject", resource=obj, **inside, **s3)
        add(g, ALLOWED, "pipeline reads a bundle version", action="s3:GetObjectVersion", resource=obj, **inside, **s3)
        own_prefix = {"s3:prefix": delivery_names.bundle_prefix(silo.account_id)}
        add(
            g,
            ALLOWED,
            "pipeline lists its bundles",
            action="s3:ListBucket",
            resource=bkt,
            extra=own_prefix,
            **inside,
            **s3,
        )
        add(g, ALLOWED, "pipeline decrypts through S3", via=via, **inside, **kms)
        add(
            g,
            ALLOWED,
            "pipeline session reads a bundle",
            action="s3:GetObject",
            resource=obj,
            **s3,
            principal=f"arn:aws:sts::{silo.account_id}:assumed-role/{names.silo_role(silo.name, 'pipeline')}/run",
            paths=[layout.silos_path],
        )
        add(
            g,
            ALLOWED,
            "pipeline in a nested OU reads",
            action="s3:GetObject",
            resource=obj,
            principal=pipeline,
            paths=[layout.silos_path + "ou-ac12-nested00/"],
            **s3,
        )
        add(g, DENIED, "pipeline decrypts directly (not via S3)", **inside, **kms)
        add(g, DENIED, "pipeline writes a bundle", action="s3:PutObject", resource=obj, **inside, **s3)
        add(g, EXPLICIT, "pipeline without TLS", action="s3:GetObject", resource=obj, tls=False, **inside, **s3)
        datalake_ou = f"{layout.org_id}/{layout.root_id}/{layout.datalake_ou_id}/"
        for where, paths in (
            ("in the analytics OU", [layout.analytics_path]),
            ("in the datalake OU itself", [datalake_ou]),
            ("at the organization root", [f"{layout.org_id}/{layout.root_id}/"]),
        ):
            add(
                g,
                DENIED,
                f"same role name {where}",
                action="s3:GetObject",
                resource=obj,
                principal=pipeline,
                paths=paths,
                **s3,
            )
            add(g, DENIED, f"same role name {where} decrypts", principal=pipeline, paths=paths, via=via, **kms)
        add(
            g,
            DENIED,
            "same role name in another organization",
            action="s3:GetObject",
            resource=obj,
            principal=pipeline,
            paths=[f"{OUTSIDER_ORG}/r-zz99/ou-zz99-2silos00/"],
            org_id=OUTSIDER_ORG,
            **s3,
        )
        for other in ("admin", "glue", "pipeline-copy"):
            add(
                g,
                DENIED,
                f"{other} role of the silo",
                action="s3:GetObject",
                resource=obj,
                principal=role(silo.account_id, names.silo_role(silo.name, other)),
                paths=[layout.silos_path],
                **s3,
            )
            add(
                g,
                DENIED,
                f"{other} role of the silo decrypts",
                via=via,
                paths=[layout.silos_path],
                principal=role(silo.account_id, names.silo_role(silo.name, other)),
                **kms,
            )
    g = "artifacts/others"
    obj = f"arn:aws:s3:::{bucket}/{delivery_names.bundle_prefix(catalog.deployable_silos[0].account_id)}etl/job.py"
    add(g, DENIED, "anonymous reads", principal="*", action="s3:GetObject", resource=obj, **s3)
    add(
        g,
        DENIED,
        "anonymous lists",
        principal="*",
        action="s3:ListBucket",
        resource=bkt,
        extra={"s3:prefix": delivery_names.bundle_prefix(catalog.deployable_silos[0].account_id)},
        **s3,
    )
    for consumer in catalog.analytics:
        for reader in consumer.reader_roles:
            add(
                g,
                DENIED,
                f"{consumer.name} reader {reader}",
                action="s3:GetObject",
                resource=obj,
                principal=role(consumer.account_id, reader),
                paths=[layout.analytics_path],
                **s3,
            )
    [inline] = [p for p in resources(stack, "aws_iam_role_policy").values() if p["name"] == "publish-artifacts"]
    publisher = role(dl.account_id, names.datalake_role("publisher"))
    dl_path = [f"{layout.org_id}/{layout.root_id}/{layout.datalake_ou_id}/"]
    add(
        g,
        ALLOWED,
        "publisher writes a bundle",
        action="s3:PutObject",
        resource=obj,
        principal=publisher,
        paths=dl_path,
        identity=json.loads(_KEY_REF.sub(key, inline["policy"])),
        **s3,
    )
    add(
        g,
        DENIED,
        "publisher-named role of another account writes",
        action="s3:PutObject",
        resource=obj,
        principal=role(catalog.deployable_silos[0].account_id, names.datalake_role("publisher")),
        paths=[layout.silos_path],
        **s3,
    )


def silo_policies(stack: dict, catalog: Catalog, silo: Silo) -> dict:
    org = catalog.organization.name
    bucket = {z: names.silo_bucket(org, silo.name, z, silo.account_id, silo.region) for z in names.ZONES}
    return {
        "bucket": bucket,
        "processed": bucket_policy(stack, bucket["processed"]),
        "raw": bucket_policy(stack, bucket["raw"]),
        "dropzone": bucket_policy(stack, bucket["dropzone"]),
        "key": bucket_key_policy(stack, bucket["processed"]),
        "glue": glue_resource_policy(stack),
    }


def silo_cases(proof: Proof, synth, catalog: Catalog, silo: Silo, stack: dict, group_prefix: str = "silo") -> None:
    """Every consumer x reader role of ``catalog`` against one silo's deployed policies."""
    layout = catalog.layout
    pol = silo_policies(stack, catalog, silo)
    acct, region = silo.account_id, silo.region
    db = silo.glue_database
    table = names.glue_table(silo.flows[0].name, "processed") if silo.flows else "any_table"
    glue = f"arn:aws:glue:{region}:{acct}"
    via_s3, via_glue = f"s3.{region}.amazonaws.com", f"glue.{region}.amazonaws.com"
    obj = lambda zone: f"arn:aws:s3:::{pol['bucket'][zone]}/part-00000.parquet"  # noqa: E731
    add = proof.add
    for consumer in synth.catalog.analytics:
        entitled = consumer.reads(silo)
        expect = ALLOWED if entitled else DENIED
        identity = reader_identity(synth, consumer) if entitled else BROAD
        g = f"{group_prefix}/{silo.name}/{consumer.name}"
        for reader in consumer.reader_roles:
            who = dict(principal=role(consumer.account_id, reader), paths=[layout.analytics_path])
            s3 = dict(account=acct, resource_policy=pol["processed"], **who)
            add(
                g,
                expect,
                f"{reader} reads processed",
                action="s3:GetObject",
                resource=obj("processed"),
                identity=identity,
                **s3,
            )
            add(
                g,
                expect,
                f"{reader} lists processed",
                action="s3:ListBucket",
                resource=f"arn:aws:s3:::{pol['bucket']['processed']}",
                identity=identity,
                **s3,
            )
            for via in (via_s3, via_glue):
                add(
                    g,
                    expect,
                    f"{reader} decrypts via {via.split('.')[0]}",
                    action="kms:Decrypt",
                    via=via,
                    resource=key_arn(region, acct),
                    account=acct,
                    resource_policy=pol["key"],
                    identity=identity,
                    **who,
                )
            for action, res in (
                ("glue:GetTable", f"{glue}:table/{db}/{table}"),
                ("glue:GetDatabase", f"{glue}:database/{db}"),
                ("glue:GetTables", f"{glue}:catalog"),
                ("glue:GetPartitions", f"{glue}:table/{db}/{table}"),
            ):
                add(
                    g,
                    expect,
                    f"{reader} {action} on {res.split(':')[-1]}",
                    action=action,
                    resource=res,
                    account=acct,
                    resource_policy=pol["glue"],
                    identity=identity,
                    **who,
                )
            # Never, whatever the caller's account allows:
            for zone in ("raw", "dropzone"):
                add(
                    g,
                    DENIED,
                    f"{reader} reads {zone}",
                    action="s3:GetObject",
                    resource=obj(zone),
                    account=acct,
                    resource_policy=pol[zone],
                    **who,
                )
            add(g, DENIED, f"{reader} writes processed", action="s3:PutObject", resource=obj("processed"), **s3)
            add(g, DENIED, f"{reader} deletes processed", action="s3:DeleteObject", resource=obj("processed"), **s3)
            add(
                g,
                DENIED,
                f"{reader} decrypts directly",
                action="kms:Decrypt",
                resource=key_arn(region, acct),
                account=acct,
                resource_policy=pol["key"],
                **who,
            )
            add(
                g,
                DENIED,
                f"{reader} updates a table",
                action="glue:UpdateTable",
                account=acct,
                resource=f"{glue}:table/{db}/{table}",
                resource_policy=pol["glue"],
                **who,
            )
            add(
                g,
                DENIED,
                f"{reader} role name from the silos OU",
                action="s3:GetObject",
                resource=obj("processed"),
                account=acct,
                resource_policy=pol["processed"],
                principal=role(consumer.account_id, reader),
                paths=[layout.silos_path],
            )
            if entitled:
                add(
                    g,
                    EXPLICIT,
                    f"{reader} without TLS",
                    action="s3:GetObject",
                    resource=obj("processed"),
                    identity=identity,
                    tls=False,
                    **s3,
                )
        add(
            g,
            DENIED,
            "a non-reader role of the consumer account",
            action="s3:GetObject",
            resource=obj("processed"),
            account=acct,
            resource_policy=pol["processed"],
            principal=role(consumer.account_id, "not-a-reader"),
            paths=[layout.analytics_path],
        )
    add(
        f"{group_prefix}/{silo.name}/anonymous",
        DENIED,
        "anonymous reads processed",
        principal="*",
        action="s3:GetObject",
        resource=obj("processed"),
        account=acct,
        resource_policy=pol["processed"],
    )
    # Silos are segregated from each other: another silo's roles get nothing here.
    for other in catalog.deployable_silos:
        if other.name == silo.name:
            continue
        for purpose in ("pipeline", "admin"):
            intruder = dict(
                principal=role(other.account_id, names.silo_role(other.name, purpose)),
                paths=[layout.silos_path],
                account=acct,
            )
            g = f"{group_prefix}/{silo.name}/silo-{other.name}"
            for zone in ("processed", "raw", "dropzone"):
                add(
                    g,
                    DENIED,
                    f"{purpose} of {other.name} reads {zone}",
                    action="s3:GetObject",
                    resource=obj(zone),
                    resource_policy=pol[zone],
                    **intruder,
                )
            add(
                g,
                DENIED,
                f"{purpose} of {other.name} decrypts via s3",
                action="kms:Decrypt",
                via=via_s3,
                resource=key_arn(region, acct),
                resource_policy=pol["key"],
                **intruder,
            )
            add(
                g,
                DENIED,
                f"{purpose} of {other.name} reads the catalog",
                action="glue:GetTable",
                resource=f"{glue}:table/{db}/{table}",
                resource_policy=pol["glue"],
                **intruder,
            )


class _EntitlementsOf:
    """A synth view whose catalog is ``variant`` (entitlements) but whose stacks are the example's."""

    def __init__(self, synth, variant: Catalog):
        self.catalog, self._synth = variant, synth

    def stack(self, name: str) -> dict:
        return self._synth.stack(name)


@pytest.fixture(scope="module")
def decommissioned(decommissioned_synth, tmp_path_factory):
    """The example with its first entitled silo decommissioned (shared session synth), delivered."""
    from tests.delivered import deliver

    variant = decommissioned_synth.catalog
    silo = next(s for s in variant.silos if s.decommission)
    delivered = deliver(decommissioned_synth, tmp_path_factory.mktemp("delivered-decommissioned"))
    return variant, silo, delivered.stack(silo.stack_name)


@pytest.fixture(scope="module")
def verdicts(example_delivery, decommissioned):
    catalog = example_delivery.catalog
    assert catalog.layout, "the example lock file records organization ids"
    proof = Proof(catalog)
    artifacts_cases(proof, example_delivery)
    for silo in catalog.deployable_silos:
        silo_cases(proof, example_delivery, catalog, silo, example_delivery.stack(silo.stack_name))
    variant, silo, stack = decommissioned
    silo_cases(proof, _EntitlementsOf(example_delivery, variant), variant, silo, stack, group_prefix="decommissioned")
    results = simulate(proof.cases)
    return [(proof.expected[r["name"]][0], r["name"], proof.expected[r["name"]][1], r["decision"]) for r in results]


def check(verdicts, prefix: str) -> int:
    mine = [v for v in verdicts if v[0].startswith(prefix)]
    wrong = [
        f"{name}: expected {exp}, got {got}"
        for _, name, exp, got in mine
        if not (got == exp or (exp == DENIED and got != ALLOWED))
    ]
    assert mine, f"no cases for {prefix}"
    assert not wrong, "\n".join(wrong)
    return len(mine)


def test_silo_pipelines_in_the_silos_ou_and_only_they_read_artifacts(verdicts, example_synth):
    for silo in example_synth.catalog.deployable_silos:
        check(verdicts, f"artifacts/{silo.name}")
    check(verdicts, "artifacts/others")


def test_analytics_readers_read_processed_data_of_entitled_silos_only(verdicts, example_synth):
    for silo in example_synth.catalog.deployable_silos:
        check(verdicts, f"silo/{silo.name}/")


def test_decommissioned_silo_grants_nothing(verdicts, decommissioned):
    variant, silo, stack = decommissioned
    assert not any(
        v[3] == ALLOWED
        for v in verdicts
        if v[0].startswith(f"decommissioned/{silo.name}/") and "reads" in v[1] and "processed" in v[1]
    )
    check(verdicts, f"decommissioned/{silo.name}/")
    assert glue_resource_policy(stack) is None
    processed = names.silo_bucket(variant.organization.name, silo.name, "processed", silo.account_id, silo.region)
    assert [s for s in bucket_policy(stack, processed)["Statement"] if s["Effect"] == "Allow"] == []
    assert not any("aws:PrincipalOrgPaths" in json.dumps(s) for s in bucket_key_policy(stack, processed)["Statement"])


def test_every_expectation_is_exercised_both_ways(verdicts):
    """The proof would be vacuous if nothing were allowed (or nothing denied)."""
    decisions = {got for *_, got in verdicts}
    assert decisions == {"Allowed", "ImplicitlyDenied", "ExplicitlyDenied"}
