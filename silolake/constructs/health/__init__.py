"""Health capability: alarms, freshness checks and dashboards of a silo, and the organization view.

:class:`SiloHealth` (in the silo's account) renders the catalog-derived alarm table of
:mod:`silolake.health.health_metrics`, the freshness checks of :mod:`silolake.health.freshness`
and the dashboard of :mod:`silolake.health.dashboards`; :class:`HealthSharing` is the silo
account's side of the organization dashboard, :class:`OrganizationHealth` the datalake
account's. :class:`CheckDeadLetterQueue` receives the checks Scheduler could not run
(:mod:`silolake.health.check_delivery`). Guide: ``docs/operations.md``.
"""

from .check_dlq import CheckDeadLetterQueue
from .organization import HealthSharing, OrganizationHealth
from .silo_health import ChatForwarder, SiloHealth

__all__ = ["ChatForwarder", "CheckDeadLetterQueue", "HealthSharing", "OrganizationHealth", "SiloHealth"]
