"""Glue 5.0 entry point of the default conform job: ``--flow_spec <JSON>`` -> :func:`conform_run.run_job`.

Deployed as the job's script; the other ``conform*.py`` modules of this folder
travel beside it in ``--extra-py-files``. Only this file imports ``awsglue`` (absent off Glue).
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from conform_run import run_job
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "flow_spec"])
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
run_job(glue_context.spark_session, args["flow_spec"])
job.commit()
