"""One Firehose delivery stream per api flow: JSON records in, Parquet files out.

Firehose converts each JSON record to Parquet using the flow's *raw* Glue table as the
schema, so the table the analysts query is also the contract the stream enforces: a
record that does not fit lands under the flow's error prefix (with the reason) instead
of in the data. Output is ``UNCOMPRESSED`` at the S3 level because Parquet compresses
its pages itself (Snappy); compressing the file again would make it unreadable.
"""

from __future__ import annotations

from ... import names, policy
from ...catalog.model import DeployedSilo, Flow
from ...cdk import Construct, aws
from ..blocks.service_role import encrypted_log_group, log_group_arn, service_role

_ERRORS = names.SYSTEM_PREFIXES["errors"]

#: Log stream Firehose writes delivery and conversion errors to (it does not create it).
LOG_STREAM = "DestinationDelivery"


def data_prefix(flow: str) -> str:
    """Where a flow's Parquet files land in the raw bucket (Hive-style ``ingest_date``)."""
    return f"{flow}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"


def error_prefix(flow: str) -> str:
    """Where records Firehose could not convert or deliver land, by error type.

    Under the system prefix ``_errors/`` (:data:`silolake.names.SYSTEM_PREFIXES`): a flow
    named ``errors`` must not find other flows' error records under its own prefix."""
    return f"{_ERRORS}{flow}/!{{firehose:error-output-type}}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"


def object_prefixes(flow: str) -> list[str]:
    """Key prefixes (static part) a flow's stream may write under."""
    return [f"{flow}/", f"{_ERRORS}{flow}/"]


def delivery_role_statements(
    *, bucket: str, flow: str, region: str, account_id: str, database: str, table: str, log_group: str, key_arn: str
) -> list[policy.Statement]:
    """Everything a flow's Firehose role may do: that flow's prefixes, table, key, log stream.

    Pure function of names, so the policy is literal in the synthesized JSON and tests
    evaluate it offline (only ``key_arn`` is a Terraform reference: key ids are random).
    """
    bucket_arn = f"arn:aws:s3:::{bucket}"
    objects = [f"{bucket_arn}/{p}*" for p in object_prefixes(flow)]
    glue = f"arn:aws:glue:{region}:{account_id}"
    return [
        {
            "Sid": "LocateBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            "Resource": bucket_arn,
        },
        {
            "Sid": "ListOwnPrefixes",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in object_prefixes(flow)]}},
        },
        {
            "Sid": "WriteOwnPrefixes",
            "Effect": "Allow",
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Resource": objects,
        },
        {
            "Sid": "ReadSchemaTable",
            "Effect": "Allow",
            "Action": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
            "Resource": [f"{glue}:catalog", f"{glue}:database/{database}", f"{glue}:table/{database}/{table}"],
        },
        # Only through S3 and only for this bucket: with S3 Bucket Keys the encryption
        # context is the bucket ARN, without them the object ARN; allow both forms.
        {
            "Sid": "EncryptOwnObjects",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, *objects]},
            },
        },
        # The silo key also encrypts the Glue Data Catalog: reading the table's schema
        # means decrypting its metadata, through Glue only.
        {
            "Sid": "DecryptSchemaMetadata",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"glue.{region}.amazonaws.com"}},
        },
        {
            "Sid": "LogDeliveryErrors",
            "Effect": "Allow",
            "Action": "logs:PutLogEvents",
            "Resource": f"{log_group_arn(region, account_id, log_group)}:log-stream:{LOG_STREAM}",
        },
    ]


class ParquetDeliveryStream(Construct):
    """Firehose stream ``<org>-<silo>-<flow>`` writing the flow's records to the raw bucket."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        silo: DeployedSilo,
        flow: Flow,
        raw_bucket_arn: str,
        kms_key_arn: str,
        database_name: str,
        raw_table_name: str,
    ) -> None:
        """``raw_table_name``: the flow's raw Glue table, whose schema Firehose converts records with
        (pass the table resource's ``name`` so Terraform orders the stream after the table)."""
        super().__init__(scope, id)
        account_id, region = silo.account_id, silo.region
        self.stream_name = names.firehose_stream(org, silo.name, flow.storage_name)
        self.arn = f"arn:aws:firehose:{region}:{account_id}:deliverystream/{self.stream_name}"
        bucket = names.silo_bucket(org, silo.name, "raw", account_id, region)
        table = names.glue_table(flow.data_name, "raw")
        log_group = names.firehose_log_group(self.stream_name)

        logs = encrypted_log_group(self, "logs", name=log_group, kms_key_arn=kms_key_arn)
        # The stream holds the delivery error events: protected like its group.
        aws.cloudwatch_log_stream.CloudwatchLogStream(
            self, "log-stream", name=LOG_STREAM, log_group_name=logs.name, lifecycle={"prevent_destroy": True}
        )
        self.role = service_role(
            self,
            "role",
            name=names.silo_role(silo.name, f"{flow.storage_name}-firehose"),
            service="firehose.amazonaws.com",
            description=f"Firehose delivery of api flow {flow.name} to the raw zone (Parquet)",
            # Firehose passes the account id as external id: blocks confused-deputy use.
            trust_condition={"StringEquals": {"sts:ExternalId": account_id}},
            statements=delivery_role_statements(
                bucket=bucket,
                flow=flow.data_name,  # the data layout: a new schema version writes its own prefix
                region=region,
                account_id=account_id,
                database=names.glue_database(silo.name),
                table=table,
                log_group=log_group,
                key_arn=kms_key_arn,
            ),
        )
        self.stream = aws.kinesis_firehose_delivery_stream.KinesisFirehoseDeliveryStream(
            self,
            "stream",
            name=self.stream_name,
            destination="extended_s3",
            server_side_encryption={"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": kms_key_arn},
            extended_s3_configuration={
                "role_arn": self.role.arn,
                "bucket_arn": raw_bucket_arn,
                "prefix": data_prefix(flow.data_name),
                "error_output_prefix": error_prefix(flow.data_name),
                "buffering_size": flow.buffer_mb,
                "buffering_interval": flow.buffer_seconds,
                "compression_format": "UNCOMPRESSED",
                "file_extension": ".parquet",
                # ingest_date is the UTC delivery date (catalog BUILTIN_PARTITIONS).
                "custom_time_zone": "UTC",
                "kms_key_arn": kms_key_arn,
                "cloudwatch_logging_options": {
                    "enabled": True,
                    "log_group_name": logs.name,
                    "log_stream_name": LOG_STREAM,
                },
                "data_format_conversion_configuration": {
                    "enabled": True,
                    "input_format_configuration": {
                        "deserializer": {
                            "open_x_json_ser_de": {
                                "case_insensitive": True,
                                "convert_dots_in_json_keys_to_underscores": False,
                            }
                        }
                    },
                    "output_format_configuration": {"serializer": {"parquet_ser_de": {"compression": "SNAPPY"}}},
                    "schema_configuration": {
                        "database_name": database_name,
                        "table_name": raw_table_name,
                        "role_arn": self.role.arn,
                        "region": region,
                        "catalog_id": account_id,
                        "version_id": "LATEST",
                    },
                },
            },
            # Firehose checks the role can read the table when the stream is created.
            depends_on=[self.role.policy],
            # Records buffered in the stream (up to buffer_seconds) are lost with it.
            lifecycle={"prevent_destroy": True},
        )
