"""Glue 5.0 entry point of the default conform job: ``--flow_spec <JSON>`` -> :func:`conform.conform`.

Deployed as the job's script; the other ``conform*.py`` modules of this folder
travel beside it in ``--extra-py-files``. Only this file imports ``awsglue`` (absent off Glue).
"""

import json
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from conform import conform
from conform_spec import parse_spec
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "flow_spec"])
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
result = conform(glue_context.spark_session, parse_spec(args["flow_spec"]))
print(
    json.dumps(
        {
            "conform": result.flow,
            "raw_partitions": result.raw_partitions,
            "rows_read": result.rows_read,
            "rows_rejected": result.rows_rejected,
            "files_rejected": result.files_rejected,
            "processed_partitions": result.processed_partitions,
        }
    )
)
job.commit()
