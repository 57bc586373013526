"""Ingestion capability: the SigV4 HTTPS API feeding Firehose -> Parquet on S3."""

from .api_ingestion import ApiIngestion
from .firehose_delivery import ParquetDeliveryStream

__all__ = ["ApiIngestion", "ParquetDeliveryStream"]
