"""ETL capability: landing, per-flow Glue jobs and Step Functions pipelines, warehouse, Athena.

Pure builders (no cdktf): :mod:`.flow_spec`, :mod:`.asl`, :mod:`.warehouse_sql`,
:mod:`.artifacts`; the roles' statements are :mod:`silolake.policy.etl`. Constructs (each
takes the silo's context, :mod:`silolake.constructs.context`): :class:`SiloEtl` (composes the others),
:class:`FlowJob`, :class:`Landing`, :class:`MalwareScan`, :class:`Warehouse`; the malware hold's
dropzone policy: :func:`hold_statements`. Guide: ``docs/etl.md``.
"""

from .glue_job import FlowJob
from .landing import Landing
from .malware import MalwareScan, hold_statements
from .pipeline import SiloEtl
from .warehouse import Warehouse

__all__ = ["FlowJob", "Landing", "MalwareScan", "SiloEtl", "Warehouse", "hold_statements"]
