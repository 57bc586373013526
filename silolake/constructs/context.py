"""The per-silo context capability constructs are built with, instead of a repeated argument list.

A silo stack (:class:`silolake.stacks.silo.SiloStack`) builds it once: first the
:class:`SiloAddress` (organization, silo, and where it lives: partition, account, region),
which the account baseline and the storage take; then, once storage made the silo key and
the zone buckets, :meth:`SiloAddress.with_storage` gives the :class:`SiloContext` every other
capability construct takes. Building blocks (:mod:`.blocks`) keep taking primitives: they
serve accounts that are not silos too.

The bound builders delegate to :mod:`silolake.aws.names` (names) and :mod:`silolake.aws.arns`
(partition-aware ARNs), so a construct never formats an ARN or a name itself
(``tests/constructs/test_literals.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import policy
from ..aws import arns, names
from ..catalog.model import DeployedSilo
from .blocks.kms import CustomerKey
from .blocks.lambda_function import FunctionSpec, powertools_layer
from .blocks.secure_bucket import SecureBucket


@dataclass(frozen=True)
class SiloAddress:
    """Organization ``org`` (its catalog name), the ``silo`` model and the account it deploys
    to: ``partition`` (``aws``, ``aws-us-gov``, ...; from the region), ``account_id`` (12
    digits) and ``region``. Build it with :meth:`of`."""

    org: str
    silo: DeployedSilo
    partition: str
    account_id: str
    region: str

    @classmethod
    def of(cls, org: str, silo: DeployedSilo) -> SiloAddress:
        return cls(org, silo, arns.partition_of(silo.region), silo.account_id, silo.region)

    def arn(self, service: str, resource_type: str, name: str, *, sep: str = ":") -> str:
        """ARN of a regional resource of the silo's account: ``arn:<p>:<service>:<region>:
        <account>:<resource_type><sep><name>`` (``sep`` ``/`` for ``table/x``, ``:`` for
        ``function:x``); an empty ``resource_type`` gives ``...:<name>`` (SNS topics,
        CodePipeline pipelines)."""
        resource = f"{resource_type}{sep}{name}" if resource_type else name
        return arns.arn(self.partition, service, self.region, self.account_id, resource)

    def role_arn(self, name: str, path: str = "/") -> str:
        """An IAM role of the silo's account (``name`` may end in ``*``)."""
        return arns.role(self.partition, self.account_id, name, path)

    def policy_arn(self, name: str, path: str = "/") -> str:
        """A customer-managed policy of the silo's account."""
        return arns.customer_policy(self.partition, self.account_id, name, path)

    def s3_arn(self, bucket: str, key: str | None = None) -> str:
        """A bucket (``key`` None) or its objects matching ``key``, in the silo's partition."""
        return arns.s3(self.partition, bucket, key)

    def log_group_arn(self, name: str) -> str:
        return arns.log_group(self.region, self.account_id, name)

    def function_arn(self, name: str) -> str:
        return self.arn("lambda", "function", name)

    def alarm_arn(self, name: str) -> str:
        return self.arn("cloudwatch", "alarm", name)

    def service_principal(self, service: str) -> str:
        """``<service>.amazonaws.com`` or the partition's exception (:func:`arns.service_principal`)."""
        return arns.service_principal(service, self.partition)

    def bucket_name(self, kind: str) -> str:
        """The name of the silo's bucket ``kind`` (a zone or a partner bucket, :data:`names.SILO_BUCKET_KINDS`)."""
        return names.silo_bucket(self.org, self.silo.name, kind, self.account_id, self.region)

    @property
    def topic_arn(self) -> str:
        """The silo's alerts topic (failed runs, quarantined files, health alarms)."""
        return self.arn("sns", "", names.etl_silo_name(self.silo.name, "etl-alerts"))

    def with_storage(self, key: CustomerKey, buckets: Mapping[str, SecureBucket]) -> SiloContext:
        return SiloContext(self.org, self.silo, self.partition, self.account_id, self.region, key, buckets)


@dataclass(frozen=True)
class SiloContext(SiloAddress):
    """A :class:`SiloAddress` with the silo's storage: ``key`` (the silo's customer key) and
    ``buckets`` (zone -> :class:`SecureBucket`, the zones of :data:`names.ZONES`)."""

    key: CustomerKey
    buckets: Mapping[str, SecureBucket]

    @property
    def bucket_names(self) -> dict[str, str]:
        """Zone -> bucket name."""
        return {zone: bucket.name for zone, bucket in self.buckets.items()}

    def function_spec(
        self,
        purpose: str,
        source_dir: Path,
        description: str,
        statements: Sequence[policy.Statement],
        environment: Mapping[str, str],
        *,
        timeout: int,
        memory_size: int = 256,
    ) -> FunctionSpec:
        """A silo function ``silolake-<silo>-<purpose>`` with the role of the same purpose,
        ``handler.lambda_handler`` of ``source_dir``, the silo key (environment, logs) and the
        Powertools layer; ``timeout`` in seconds, ``memory_size`` in MB."""
        return FunctionSpec(
            function_name=names.etl_silo_name(self.silo.name, purpose),
            role_name=names.silo_role(self.silo.name, purpose),
            source_dir=source_dir,
            handler="handler.lambda_handler",
            kms_key_arn=self.key.arn,
            account_id=self.account_id,
            region=self.region,
            description=description,
            policy_statements=statements,
            environment=environment,
            layers=(powertools_layer(self.region),),
            timeout=timeout,
            memory_size=memory_size,
        )
