"""Least-privilege identity policies of the ETL roles, as plain statements (never imports cdktf).

Every statement names the exact prefix, table, job or topic of *one* flow where AWS allows
it; the exceptions are commented where they occur (actions without resource-level
permissions). ARNs follow the service authorization reference of each service.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..aws import arns, names
from ..aws.arns import log_group as log_group_arn
from ..catalog.flow import Flow
from ..catalog.model import DeployedSilo
from .documents import Statement
from .glue_metrics import put_flow_metrics_statement


def _arn(service: str, silo: DeployedSilo, resource: str) -> str:
    return arns.regional(service, silo.region, silo.account_id, resource)


def glue_table_arns(silo: DeployedSilo, tables: Sequence[str]) -> list[str]:
    """Catalog, database and the given tables (Glue authorizes a table call on all three)."""
    db = names.glue_database(silo.name)
    return [_arn("glue", silo, "catalog"), _arn("glue", silo, f"database/{db}")] + [
        _arn("glue", silo, f"table/{db}/{t}") for t in tables
    ]


def _kms(key_arn: str, actions: Sequence[str] = ("kms:Decrypt", "kms:GenerateDataKey")) -> Statement:
    return {"Sid": "UseSiloKey", "Effect": "Allow", "Action": list(actions), "Resource": key_arn}


def glue_job_statements(
    silo: DeployedSilo, flow: Flow, *, buckets: dict[str, str], key_arn: str, script_keys: Sequence[str]
) -> list[Statement]:
    """The conform job of ``flow``: read its raw prefix and its code, write its processed and
    rejects prefixes, its two tables, the silo key, and Glue's encrypted job logs."""
    raw, processed = buckets["raw"], buckets["processed"]
    partition = arns.partition_of(silo.region)
    flow_prefixes = [f"{flow.data_name}/", f"{names.REJECTS_PREFIX}{flow.data_name}/"]
    if flow.quality:  # the job appends its quality results under the flow's own results folder
        flow_prefixes.append(names.quality_prefix(flow.storage_name))
    return [
        {
            "Sid": "ReadRawOfFlow",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": arns.s3(partition, raw, f"{flow.data_name}/*"),
        },
        {
            "Sid": "ReadJobCode",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [arns.s3(partition, raw, key) for key in script_keys],
        },
        {
            "Sid": "WriteProcessedOfFlow",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            "Resource": [arns.s3(partition, processed, f"{p}*") for p in flow_prefixes],
        },
        {
            # Unconditioned: Spark's and Glue's S3 clients HEAD and list paths of the table
            # locations (S3 answers a HEAD of a missing key with 403 instead of 404 unless the
            # caller may list the bucket). Listing shows key names; contents stay per flow.
            "Sid": "ListZones",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": [arns.s3(partition, raw), arns.s3(partition, processed)],
        },
        {
            "Sid": "FlowTables",
            "Effect": "Allow",
            "Action": [
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:GetPartition",
                "glue:GetPartitions",
                "glue:BatchGetPartition",
                "glue:CreatePartition",
                "glue:BatchCreatePartition",
                "glue:UpdatePartition",
            ],
            "Resource": glue_table_arns(
                silo, [names.glue_table(flow.data_name, "raw"), names.glue_table(flow.data_name, "processed")]
            ),
        },
        _kms(key_arn, ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt")),
        {
            # Glue writes job logs under /aws-glue/ and associates the security configuration's key.
            "Sid": "GlueJobLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            "Resource": [
                log_group_arn(silo.region, silo.account_id, "/aws-glue/*"),
                log_group_arn(silo.region, silo.account_id, "/aws-glue/*") + ":log-stream:*",
            ],
        },
        put_flow_metrics_statement(),
    ]


def state_machine_statements(
    silo: DeployedSilo,
    flow: Flow,
    *,
    buckets: dict[str, str],
    key_arn: str,
    topic_arn: str,
    athena_workgroup: str,
    redshift_workgroup_arn: str | None,
) -> list[Statement]:
    """The pipeline of ``flow``: its job, its tables' partitions through Athena, its topic,
    its log delivery and, for warehouse flows, the Data API on the silo's workgroup."""
    job = _arn("glue", silo, f"job/{names.etl_name(silo.name, flow.storage_name)}")
    athena_results = buckets["athena"]
    partition = arns.partition_of(silo.region)
    statements: list[Statement] = [
        {
            "Sid": "RunFlowJob",
            "Effect": "Allow",
            "Action": ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
            "Resource": job,
        },
        {
            "Sid": "RepairFlowPartitions",
            "Effect": "Allow",
            "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:StopQueryExecution"],
            "Resource": _arn("athena", silo, f"workgroup/{athena_workgroup}"),
        },
        {
            # MSCK REPAIR TABLE lists the table location and adds partitions through Glue.
            "Sid": "FlowPartitionsInCatalog",
            "Effect": "Allow",
            "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:BatchCreatePartition"],
            "Resource": glue_table_arns(
                silo, [names.glue_table(flow.data_name, "raw"), names.glue_table(flow.data_name, "processed")]
            ),
        },
        {
            "Sid": "ListFlowData",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": [arns.s3(partition, buckets["raw"]), arns.s3(partition, buckets["processed"])],
            "Condition": {"StringLike": {"s3:prefix": [f"{flow.data_name}/", f"{flow.data_name}/*"]}},
        },
        {
            "Sid": "WriteAthenaResults",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": arns.s3(partition, athena_results, f"{names.ATHENA_RESULTS_PREFIX}*"),
        },
        {
            "Sid": "ListAthenaResults",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": arns.s3(partition, athena_results),
        },
        {"Sid": "NotifyOwners", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        _kms(key_arn),
        {
            # CloudWatch Logs delivery for Step Functions has no resource-level permissions.
            "Sid": "ExecutionLogDelivery",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups",
            ],
            "Resource": "*",
        },
    ]
    if redshift_workgroup_arn:
        statements += [
            {
                "Sid": "ReadConformState",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": arns.s3(partition, buckets["processed"], f"{flow.data_name}/_silolake/*"),
            },
            {
                "Sid": "LoadWarehouse",
                "Effect": "Allow",
                "Action": ["redshift-data:BatchExecuteStatement", "redshift-serverless:GetCredentials"],
                "Resource": redshift_workgroup_arn,
            },
            {
                # Statement ids are not resources; AWS scopes them to their caller with this key.
                "Sid": "FollowOwnStatements",
                "Effect": "Allow",
                "Action": ["redshift-data:DescribeStatement", "redshift-data:CancelStatement"],
                "Resource": "*",
                "Condition": {"StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}},
            },
        ]
    return statements


def load_role_statements(partition: str, processed_bucket: str, flow: Flow, key_arn: str) -> list[Statement]:
    """Redshift's COPY role of one warehouse flow: read that flow's processed prefix only."""
    return [
        {
            "Sid": "ReadProcessedOfFlow",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": arns.s3(partition, processed_bucket, f"{flow.data_name}/*"),
        },
        {
            "Sid": "ListProcessedOfFlow",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": arns.s3(partition, processed_bucket),
            "Condition": {"StringLike": {"s3:prefix": [f"{flow.data_name}/", f"{flow.data_name}/*"]}},
        },
        _kms(key_arn, ("kms:Decrypt",)),
    ]


def warehouse_endpoint_statements(partition: str, processed_bucket: str) -> list[Statement]:
    """S3 gateway endpoint policy of the warehouse VPC: only reads of the silo's processed bucket pass."""
    return [
        {
            "Sid": "ReadProcessedOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": [arns.s3(partition, processed_bucket), arns.s3(partition, processed_bucket, "*")],
        }
    ]


def flow_log_statements(region: str, account_id: str, log_group: str) -> list[Statement]:
    """The VPC flow-log role: write streams of ``log_group`` only."""
    group = log_group_arn(region, account_id, log_group)
    return [
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group, group + ":log-stream:*"],
        }
    ]


def scheduler_statements(state_machine_arns: Sequence[str], key_arn: str) -> list[Statement]:
    """EventBridge Scheduler's role: start the silo's pipelines; decrypt schedules (silo key)."""
    return [
        _kms(key_arn, ("kms:Decrypt",)),
        {
            "Sid": "StartPipelines",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": sorted(state_machine_arns),
        },
    ]


def landing_statements(
    partition: str, flows: Sequence[Flow], *, dropzone: str, raw: str, key_arn: str
) -> list[Statement]:
    """The landing function (``silolake/runtime/lambda/landing``): every arrival in the dropzone is either
    copied into its flow's raw prefix or quarantined, then deleted (by version) once the copy
    is confirmed. Any dropzone key may arrive (a file outside ``<partner>/<flow>/`` is
    quarantined too), so reads and deletes cover the bucket; writes only the flows' raw
    prefixes and the quarantine."""
    # The raw prefix is the flow's data name (``data_name``): a renamed flow keeps landing
    # where its data already is, a new schema version lands under its own prefix (the landing
    # function's FLOWS map each dropzone folder, the storage name, to it).
    landed = [arns.s3(partition, raw, f"{f.data_name}/*") for f in flows]
    quarantine = arns.s3(partition, dropzone, f"{names.QUARANTINE_PREFIX}*")
    return [
        {
            "Sid": "TakeDroppedFiles",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion"],
            "Resource": arns.s3(partition, dropzone, "*"),
        },
        {
            "Sid": "LandOrQuarantine",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
            "Resource": [*landed, quarantine],
        },
        _kms(key_arn),
    ]
