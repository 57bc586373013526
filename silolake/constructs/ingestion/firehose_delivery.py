"""One Firehose delivery stream per api flow: JSON records in, Parquet files out.

Firehose converts each JSON record to Parquet using the flow's *raw* Glue table as the
schema, so the table the analysts query is also the contract the stream enforces: a
record that does not fit lands under the flow's error prefix (with the reason) instead
of in the data. Output is ``UNCOMPRESSED`` at the S3 level because Parquet compresses
its pages itself (Snappy); compressing the file again would make it unreadable.
"""

from __future__ import annotations

from ...aws import names
from ...catalog.flow import Flow
from ...engine.cdk import Construct, aws
from ...policy.ingestion import LOG_STREAM, delivery_role_statements, object_prefixes
from ..blocks.service_role import encrypted_log_group, service_role
from ..context import SiloContext

_ERRORS = names.SYSTEM_PREFIXES["errors"]
__all__ = ["LOG_STREAM", "ParquetDeliveryStream", "data_prefix", "error_prefix", "object_prefixes"]


def data_prefix(flow: str) -> str:
    """Where a flow's Parquet files land in the raw bucket (Hive-style ``ingest_date``)."""
    return f"{flow}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"


def error_prefix(flow: str) -> str:
    """Where records Firehose could not convert or deliver land, by error type.

    Under the system prefix ``_errors/`` (:data:`silolake.aws.names.SYSTEM_PREFIXES`): a flow
    named ``errors`` must not find other flows' error records under its own prefix."""
    return f"{_ERRORS}{flow}/!{{firehose:error-output-type}}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"


class ParquetDeliveryStream(Construct):
    """Firehose stream ``<org>-<silo>-<flow>`` writing the flow's records to the silo's raw bucket
    (encrypted with the silo key)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        flow: Flow,
        database_name: str,
        raw_table_name: str,
    ) -> None:
        """``raw_table_name``: the flow's raw Glue table, whose schema Firehose converts records with
        (pass the table resource's ``name`` so Terraform orders the stream after the table)."""
        super().__init__(scope, id)
        silo, account_id, region, kms_key_arn = ctx.silo, ctx.account_id, ctx.region, ctx.key.arn
        self.stream_name = names.firehose_stream(ctx.org, silo.name, flow.storage_name)
        self.arn = ctx.arn("firehose", "deliverystream", self.stream_name, sep="/")
        bucket = ctx.bucket_name("raw")
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
            service=ctx.service_principal("firehose"),
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
                "bucket_arn": ctx.buckets["raw"].bucket.arn,
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
