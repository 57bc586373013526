"""Glue 5.0 entry point of the default conform job: ``--flow_spec <JSON>`` -> :func:`conform_run.run_job`.

``--redrive_days <JSON list of YYYY-MM-DD>`` is optional: the state machine passes it for a
redrive (:mod:`conform_redrive`); a scheduled run, or a rerun from the console, has none.

Deployed as the job's script; the other ``conform*.py`` modules of this folder
travel beside it in ``--extra-py-files``. Only this file imports ``awsglue`` (absent off Glue).
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from conform_redrive import ARGUMENT, parse_days
from conform_run import run_job
from pyspark.context import SparkContext

# getResolvedOptions fails on a named option that is absent, so the optional one is named only when given.
optional = [ARGUMENT] if f"--{ARGUMENT}" in sys.argv else []
args = getResolvedOptions(sys.argv, ["JOB_NAME", "flow_spec", *optional])
redrive_days = parse_days(args.get(ARGUMENT))
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
run_job(glue_context.spark_session, args["flow_spec"], redrive_days)
job.commit()
