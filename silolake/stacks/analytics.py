"""``analytics-<name>`` stack: a company-wide, read-only consumer account."""

from __future__ import annotations

from ..catalog.model import AnalyticsConsumer, Catalog
from ..cdk import Construct
from .base import AccountStack


class AnalyticsStack(AccountStack):
    def __init__(self, scope: Construct, *, catalog: Catalog, consumer: AnalyticsConsumer) -> None:
        super().__init__(scope, consumer.stack_name, catalog=catalog, account_id=consumer.account_id,
                         region=consumer.region)
        self.consumer = consumer
