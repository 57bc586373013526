"""ETL capability: landing, per-flow Glue jobs and Step Functions pipelines, warehouse, Athena.

Pure builders (no cdktf): :mod:`.flow_spec`, :mod:`.asl`, :mod:`.warehouse_sql`,
:mod:`.statements`, :mod:`.artifacts`. Constructs: :class:`SiloEtl` (composes the others),
:class:`FlowJob`, :class:`Landing`, :class:`Warehouse`. Guide: ``docs/etl.md``.
"""

from .glue_job import FlowJob
from .landing import Landing
from .pipeline import SiloEtl
from .warehouse import Warehouse

__all__ = ["FlowJob", "Landing", "SiloEtl", "Warehouse"]
