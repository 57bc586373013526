"""What the lake watches, as plain data (never cdktf): the health metrics and each silo's
alarm table (:mod:`.health_metrics`), the freshness checks' schedules (:mod:`.freshness`),
the dashboard bodies (:mod:`.dashboards`) and what happens when a check or a pipeline start
cannot be delivered (:mod:`.check_delivery`). ``silolake/constructs/health`` renders them;
the policies they need are in :mod:`silolake.policy` (``check_delivery``, ``health_sharing``,
``glue_metrics``), which may import this package, never the other way round.
"""
