"""API Gateway method settings of the ingestion stage: the stage-wide defaults and one
throttle per api flow (``flows[].throttle``), so one noisy caller of a flow exhausts that
flow's budget, not the silo's (docs/ingestion-api.md, "Per-flow throttles")."""

from __future__ import annotations

from collections.abc import Sequence

from ...catalog.flow import Flow
from ...engine.cdk import Construct, aws
from . import templates as tpl


def method_path(flow: str, kind: str) -> str:
    """``method_path`` of API Gateway method settings: resource path without the leading
    slash, then the HTTP method (``flows/orders/records/POST``)."""
    return f"{tpl.resource_path(flow, kind).lstrip('/')}/POST"


def method_settings(rate: float, burst: int) -> dict:
    """Every method setting of the stage; method-level settings replace the stage-wide
    ones for that method, so each carries the full set, throttle included."""
    return {
        "metrics_enabled": True,
        "logging_level": "ERROR",
        "data_trace_enabled": False,
        "throttling_rate_limit": rate,
        "throttling_burst_limit": burst,
        "caching_enabled": False,
        "cache_data_encrypted": True,
    }


def flow_throttles(scope: Construct, api_id: str, stage_name: str, flows: Sequence[Flow], *, depends_on: list) -> None:
    """One method setting per flow path and method kind (``records``, ``batch``), each with
    the flow's rate and burst: a flow's two methods are limited separately."""
    for f in flows:
        for kind in tpl.ACTIONS:
            aws.api_gateway_method_settings.ApiGatewayMethodSettings(
                scope,
                f"method-settings-{f.name}-{kind}",
                rest_api_id=api_id,
                stage_name=stage_name,
                method_path=method_path(f.storage_name, kind),  # the API path keeps a renamed flow's name
                settings=method_settings(f.throttle_rate, f.throttle_burst),
                depends_on=depends_on,
            )
