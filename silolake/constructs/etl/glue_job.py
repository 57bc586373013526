"""The Glue job of one flow: its code in the artifacts prefix, its own role, the job itself.

Glue 5.0 (Spark 3.5, Python 3.11). The job's only argument is the flow spec
(:mod:`.flow_spec`), set as a default argument so a schedule, a rerun from the console
and the state machine all start the same job. Job bookmarks are on; at most one run at a
time (the conform job's idempotence relies on it, and the state machine retries a
concurrent start with backoff). Encryption of logs, bookmarks and S3 output with the
silo key comes from the silo's Glue security configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...aws import names
from ...catalog.flow import Flow
from ...engine.cdk import AssetType, Construct, TerraformAsset, aws
from ...policy.etl import glue_job_statements
from ..blocks.service_role import service_role
from ..context import SiloContext
from .artifacts import JobBundle
from .flow_spec import flow_spec, render_spec

GLUE_VERSION = "5.0"
#: Minutes before Glue stops a run (its default, 48 h, would hide a stuck job for two days).
JOB_TIMEOUT_MINUTES = 240


def job_arguments(spec_json: str, bundle: JobBundle, bucket: str) -> dict[str, str]:
    """Default arguments of a flow's job (Glue's special parameters plus ``--flow_spec``)."""
    args = {
        "--flow_spec": spec_json,
        "--job-bookmark-option": "job-bookmark-enable",
        "--job-language": "python",
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--enable-glue-datacatalog": "true",
    }
    if bundle.module_keys:
        args["--extra-py-files"] = ",".join(f"s3://{bucket}/{key}" for key in bundle.module_keys)
    return args


def upload_bundles(scope: Construct, bucket: str, key_arn: str, bundles: Sequence[JobBundle]) -> dict[str, Any]:
    """One ``aws_s3_object`` per distinct key of ``bundles`` (flows share the framework's code):
    key -> resource. Objects are encrypted with the silo key, as the bucket policy demands."""
    objects: dict[str, Any] = {}
    for bundle in bundles:
        for key, path in bundle.files:
            if key in objects:
                continue
            index = len(objects)
            asset = TerraformAsset(
                scope,
                f"code-{index}",
                path=str(path),
                type=AssetType.FILE,
                asset_hash=key.rsplit("/", 2)[-2] + path.name,
            )
            objects[key] = aws.s3_object.S3Object(
                scope,
                f"object-{index}",
                bucket=bucket,
                key=key,
                source=asset.path,
                server_side_encryption="aws:kms",
                kms_key_id=key_arn,
                content_type="text/x-python",
            )
    return objects


class FlowJob(Construct):
    """Role and ``aws_glue_job`` of ``flow`` running ``bundle`` (uploaded as ``code_objects``).

    Attributes: ``job``, ``role``, ``bundle``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        flow: Flow,
        bundle: JobBundle,
        code_objects: Sequence[Any],
        security_configuration: str,
    ) -> None:
        super().__init__(scope, id)
        silo, buckets = ctx.silo, ctx.bucket_names
        raw = buckets["raw"]
        self.bundle = bundle
        self.role = service_role(
            self,
            "role",
            name=names.silo_role(silo.name, f"{flow.storage_name}-glue"),
            service=ctx.service_principal("glue"),
            description=f"Glue job of flow '{flow.name}' in silo '{silo.name}'",
            statements=glue_job_statements(
                silo, flow, buckets=buckets, key_arn=ctx.key.arn, script_keys=[k for k, _ in self.bundle.files]
            ),
            trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
        )
        spec = render_spec(flow_spec(flow, raw_bucket=raw, processed_bucket=buckets["processed"], silo=silo.name))
        self.job = aws.glue_job.GlueJob(
            self,
            "job",
            name=names.etl_name(silo.name, flow.storage_name),
            description=f"silolake: {'custom job ' + flow.job if flow.custom_job else 'conform'} of flow '{flow.name}'",
            role_arn=self.role.arn,
            glue_version=GLUE_VERSION,
            command={
                "name": "glueetl",
                "python_version": "3",
                "script_location": f"s3://{raw}/{self.bundle.script_key}",
            },
            default_arguments=job_arguments(spec, self.bundle, raw),
            # From the catalog (``glue:`` of the flow; schema defaults G.1X and 2 workers).
            worker_type=flow.glue_worker_type,
            number_of_workers=flow.glue_workers,
            timeout=JOB_TIMEOUT_MINUTES,
            max_retries=0,  # the state machine retries what is worth retrying
            execution_property={"max_concurrent_runs": 1},
            security_configuration=security_configuration,
            depends_on=[self.role.policy, *code_objects],
        )
