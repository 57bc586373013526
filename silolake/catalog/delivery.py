"""Typed model of the catalog's ``delivery`` settings: the master leg of the AWS-native pipeline
(``delivery.pipeline``), built from validated data like the rest of :mod:`silolake.catalog.model`,
which holds it as :attr:`~silolake.catalog.model.Catalog.master_pipeline` (docs/delivery.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryPipeline:
    """Master leg of the AWS-native pipeline (``delivery.pipeline``), in the datalake account.

    Exactly one source: a CodeConnections ``connection_provider`` (``GitHub``, ``GitLab``,
    ``Bitbucket``) with ``repository`` (``owner/name``) and ``branch``, or an S3 object
    ``s3_bucket``/``s3_key`` (a zip of the repository). ``compute_type`` and
    ``build_timeout_minutes`` (minutes) size the CodeBuild build.
    """

    connection_provider: str | None
    repository: str | None
    branch: str | None
    s3_bucket: str | None
    s3_key: str | None
    compute_type: str
    build_timeout_minutes: int
    #: ``adopt``: added back after a removal; synth imports what the removal forgot.
    adopt: bool = False

    @property
    def uses_connection(self) -> bool:
        return self.connection_provider is not None


def build_master_pipeline(raw: dict | None) -> DeliveryPipeline | None:
    """The model of a validated ``delivery.pipeline`` (defaults applied), ``None`` when not asked for."""
    if not raw:
        return None
    conn, s3 = raw["source"].get("connection") or {}, raw["source"].get("s3") or {}
    return DeliveryPipeline(
        connection_provider=conn.get("provider"),
        repository=conn.get("repository"),
        branch=conn.get("branch"),
        s3_bucket=s3.get("bucket"),
        s3_key=s3.get("key"),
        compute_type=raw["compute_type"],
        build_timeout_minutes=raw["build_timeout_minutes"],
        adopt=raw["adopt"],
    )
