"""Partition-aware ARNs and service principals, the one place ``arn:`` is formatted.

An ARN is ``arn:<partition>:<service>:<region>:<account>:<resource>``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). The partition follows
from the region (:func:`partition_of`); every builder takes it, none assumes ``aws``, so a
stack's ARNs are right for the partition its region is in. This is the one module that spells
``arn:`` (``tests/constructs/test_literals.py``). Which partitions a catalog may use, and what
is refused in each, is ``silolake/catalog/partitions.py`` (commercial and GovCloud supported).

Shapes: every function returns a string; ``region``/``account_id`` are AWS's own forms
(``eu-west-1``, 12 digits); nothing is validated here (names come validated from the catalog
and :mod:`silolake.aws.names`).
"""

from __future__ import annotations

#: Region prefixes of the partitions other than the commercial ``aws`` one, longest first so
#: ``us-isob-`` is not read as ``us-iso-`` (same source, "partition").
_REGION_PREFIXES = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
    ("eusc-", "aws-eusc"),
)
COMMERCIAL = "aws"
#: DNS suffix of each partition's endpoints and service principals where it is not
#: ``amazonaws.com`` (AWS SDK partitions.json, ``dnsSuffix``).
_DNS_SUFFIX = {
    "aws-cn": "amazonaws.com.cn",
    "aws-eusc": "amazonaws.eu",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
}


def is_arn(value: str) -> bool:
    """Whether ``value`` is written as an ARN (``arn:...``), of any partition."""
    return value.startswith("arn:")


def partition_of(region: str) -> str:
    """The partition of ``region``: ``aws``, ``aws-us-gov``, ``aws-cn``, ``aws-eusc`` (AWS
    European Sovereign Cloud, ``eusc-de-east-1``), ``aws-iso``, ``aws-iso-b``, ``aws-iso-e`` or
    ``aws-iso-f``. An unknown ``*-iso*-`` region is ``aws-iso``."""
    for prefix, partition in _REGION_PREFIXES:
        if region.startswith(prefix):
            return partition
    parts = region.split("-")
    return "aws-iso" if len(parts) > 1 and parts[1].startswith("iso") else COMMERCIAL


def dns_suffix(partition: str) -> str:
    """``amazonaws.com`` or the partition's own suffix (``amazonaws.com.cn``, ...)."""
    return _DNS_SUFFIX.get(partition, "amazonaws.com")


#: Service principals that differ from ``<service>.amazonaws.com`` in a partition. AWS moved
#: most services to ``amazonaws.com`` principals in every partition (terraform-aws-modules
#: found ``monitoring.rds.amazonaws.com.cn`` refused in China); EC2 in China is the known
#: exception (kubernetes/kops#27). Add a service here, never in a construct.
_PRINCIPAL_EXCEPTIONS = {("aws-cn", "ec2"): "ec2.amazonaws.com.cn"}


def service_principal(service: str, partition: str = COMMERCIAL) -> str:
    """IAM's principal for AWS service ``service`` in ``partition`` (``lambda`` ->
    ``lambda.amazonaws.com``)."""
    return _PRINCIPAL_EXCEPTIONS.get((partition, service), f"{service}.amazonaws.com")


def regional_service_principal(service: str, region: str) -> str:
    """The regional principal of a service that has one (``logs.<region>.amazonaws.com``,
    CloudWatch Logs key policies; ``.amazonaws.com.cn`` in China)."""
    return f"{service}.{region}.{dns_suffix(partition_of(region))}"


def service_endpoint(service: str, region: str) -> str:
    """``<service>.<region>.<dns suffix>``, the value of ``kms:ViaService`` and similar keys."""
    return f"{service}.{region}.{dns_suffix(partition_of(region))}"


def arn(partition: str, service: str, region: str, account_id: str, resource: str) -> str:
    """``arn:<partition>:<service>:<region>:<account_id>:<resource>``; empty ``region``/``account_id``
    for global services (IAM, S3 buckets, Step Functions integrations)."""
    return f"arn:{partition}:{service}:{region}:{account_id}:{resource}"


def regional(service: str, region: str, account_id: str, resource: str) -> str:
    """An ARN of a regional service, in the partition of ``region``."""
    return arn(partition_of(region), service, region, account_id, resource)


def s3(partition: str, bucket: str, key: str | None = None) -> str:
    """A bucket (``key`` None) or the objects matching ``key`` (``"*"``, ``"prefix/*"``)."""
    return arn(partition, "s3", "", "", bucket if key is None else f"{bucket}/{key}")


def iam(partition: str, account_id: str, resource: str) -> str:
    """An IAM resource: ``role/<path><name>``, ``policy/<path><name>``, ``oidc-provider/<host>``."""
    return arn(partition, "iam", "", account_id, resource)


def role(partition: str, account_id: str, name: str, path: str = "/") -> str:
    """The role ``name`` under ``path`` (``/`` or ``/a/b/``; ``name`` may end in ``*``)."""
    return iam(partition, account_id, f"role{path}{name}")


def customer_policy(partition: str, account_id: str, name: str, path: str = "/") -> str:
    """A customer-managed policy ``name`` under ``path``."""
    return iam(partition, account_id, f"policy{path}{name}")


def aws_managed_policy(partition: str, name: str) -> str:
    """An AWS-managed policy (``AdministratorAccess``, ``ReadOnlyAccess``, ...)."""
    return iam(partition, "aws", f"policy/{name}")


def account_root(partition: str, account_id: str) -> str:
    """The account principal ``arn:<p>:iam::<account_id>:root`` (every principal of the account
    its IAM policies allow)."""
    return iam(partition, account_id, "root")


def any_region(partition: str, service: str, resource: str) -> str:
    """``resource`` of ``service`` in any region and account of ``partition`` (SCPs and
    guardrails attached to many accounts: ``arn:<p>:<service>:*:*:<resource>``)."""
    return arn(partition, service, "*", "*", resource)


def log_group(region: str, account_id: str, name: str) -> str:
    """The ARN IAM matches for log group ``name`` (append ``:*`` or ``:log-stream:*`` for streams)."""
    return regional("logs", region, account_id, f"log-group:{name}")


def states_integration(partition: str, integration: str) -> str:
    """A Step Functions service integration (``glue:startJobRun.sync``, ``aws-sdk:s3:getObject``)."""
    return arn(partition, "states", "", "", integration)


def apigateway_integration(region: str, service: str, action: str) -> str:
    """The URI API Gateway calls AWS service ``service``'s ``action`` with (an AWS integration),
    ``arn:<p>:apigateway:<region>:<service>:action/<action>``."""
    return arn(partition_of(region), "apigateway", region, service, f"action/{action}")


def codepipeline(region: str, account_id: str, pipeline: str) -> str:
    """A CodePipeline pipeline (``arn:<p>:codepipeline:<region>:<account>:<name>``)."""
    return regional("codepipeline", region, account_id, pipeline)


def codebuild_project(region: str, account_id: str, project: str) -> str:
    return regional("codebuild", region, account_id, f"project/{project}")


def events_rule(region: str, account_id: str, rule: str) -> str:
    """An EventBridge rule of the default bus (``rule`` may contain ``*``)."""
    return regional("events", region, account_id, f"rule/{rule}")


def event_bus(region: str, account_id: str, bus: str = "default") -> str:
    return regional("events", region, account_id, f"event-bus/{bus}")
