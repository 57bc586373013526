"""Storage calls of the conform job: listing raw files, Parquet footers, and the job's state file.

Hadoop ``FileSystem`` through the JVM, so the same calls work on ``file://`` locally and
``s3://`` on Glue, and a footer is read on the driver without a Spark job.

State shape (``<processed_path>_silolake/conform_state.json``)::

    {"raw_partitions_through": "YYYY-MM-DD" | null,   # watermark: newest raw partition processed
     "flow": ..., "raw_partitions": [...], "rows_read": n, "rows_rejected": n,
     "files_rejected": n, "processed_partitions": [{"ingest_date": "..."}],
     "rejected_files": [{"path", "size", "mtime", "ingest_date", "reason"}],
     "status": "rejects_written" | "finished", "finished_at": ISO 8601}

``status: rejects_written`` is the progress a run records *before* it writes processed data:
the files it rejected as a whole (so the next run does not read them again) with the
previous watermark unchanged (so the next run still reprocesses those partitions).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from conform_spec import INGEST_DATE, FlowSpec
from pyspark.sql import SparkSession

__all__ = ["RawFile", "footer_schema", "list_files", "list_raw_partitions", "read_state", "write_state"]

_PARTITION_DIR = re.compile(rf"^{INGEST_DATE}=(\d{{4}}-\d{{2}}-\d{{2}})$")
_INGEST_IN_PATH = re.compile(rf"/{INGEST_DATE}=(\d{{4}}-\d{{2}}-\d{{2}})/")


@dataclass(frozen=True)
class RawFile:
    """One data file: its URI (as Spark's ``_metadata.file_path`` spells it), size in bytes and
    modification time in epoch milliseconds (S3 ``LastModified``); ``key`` identifies this version.

    ``old``: it landed before the previous run finished, so an earlier run read it under the
    catalog of its time (set by :func:`conform.conform`; what a schema change must not break)."""

    path: str
    size: int
    mtime: int
    old: bool = False

    @property
    def ingest_date(self) -> str:
        m = _INGEST_IN_PATH.search(self.path)
        return m.group(1) if m else ""

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime)


def fs_of(spark: SparkSession, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def list_raw_partitions(spark: SparkSession, raw_path: str) -> list[str]:
    """Sorted ``ingest_date`` values of the raw partitions under ``raw_path`` (other folders ignored)."""
    fs, path = fs_of(spark, raw_path)
    if not fs.exists(path):
        return []
    found = (_PARTITION_DIR.match(s.getPath().getName()) for s in fs.listStatus(path) if s.isDirectory())
    return sorted(m.group(1) for m in found if m)


def list_files(spark: SparkSession, dirs: list[str]) -> list[RawFile]:
    """Data files below ``dirs`` (recursively), sorted by path. Names starting with ``_`` or ``.``
    are skipped, as Spark, Hive and Athena skip them (``_SUCCESS``, ``.crc``, hidden folders)."""
    out = []
    for d in dirs:
        fs, path = fs_of(spark, d)
        if not fs.exists(path):
            continue
        stack = [path]
        while stack:
            for status in fs.listStatus(stack.pop()):
                name = status.getPath().getName()
                if name.startswith(("_", ".")):
                    continue
                if status.isDirectory():
                    stack.append(status.getPath())
                else:
                    uri = str(status.getPath().toUri().toString())
                    if uri.startswith("file:///"):  # _metadata.file_path spells local files file:/...
                        uri = "file:/" + uri[len("file:///") :]
                    out.append(RawFile(uri, int(status.getLen()), int(status.getModificationTime())))
    return sorted(out, key=lambda f: f.path)


def footer_schema(spark: SparkSession, path: str) -> str:
    """The Parquet schema (physical types and annotations) in a file's footer, read on the driver.

    Raises (``Py4JJavaError``) when the file is not Parquet or its footer is damaged."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(
        jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(hpath, conf)
    )
    try:
        return str(reader.getFooter().getFileMetaData().getSchema().toString())
    finally:
        reader.close()


def read_state(spark: SparkSession, spec: FlowSpec) -> dict[str, Any] | None:
    """The previous run's state (shape in the module docstring), or ``None`` before the first run."""
    fs, path = fs_of(spark, spec.state_path)
    if not fs.exists(path):
        return None
    stream = fs.open(path)
    try:
        text = spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")  # type: ignore[union-attr]
    finally:
        stream.close()
    state: dict[str, Any] = json.loads(text)
    return state


def write_state(spark: SparkSession, spec: FlowSpec, state: dict[str, Any]) -> None:
    """Replace the state file with ``state`` plus ``finished_at`` (one object write: S3 PUT is atomic)."""
    fs, path = fs_of(spark, spec.state_path)
    body = {**state, "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    out = fs.create(path, True)
    try:
        out.write(bytearray(json.dumps(body, indent=1).encode()))
    finally:
        out.close()


def data_files(spark: SparkSession, path: str) -> list[Any]:
    """Hadoop paths of the data files directly inside ``path`` (not in sub-folders)."""
    fs, root = fs_of(spark, path)
    if not fs.exists(root):
        return []
    return [s.getPath() for s in fs.listStatus(root) if s.isFile() and not s.getPath().getName().startswith(("_", "."))]
