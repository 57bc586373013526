"""One local SparkSession for every conform test (JVM start-up costs seconds; local[2] = this machine)."""

from __future__ import annotations

import sys

import pytest

from silolake.runtime import runtime_path

JOB_DIR = runtime_path("glue", "conform")
if str(JOB_DIR) not in sys.path:  # the job's modules are flat files, as Glue ships them
    sys.path.insert(0, str(JOB_DIR))


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("silolake-conform-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        # Small data: compiling generated code and the JIT's optimising tier cost more than they save.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
