"""Every change rule (one module each in this package), registered here by the entry it compares.

A rule is a function ``(pair, at) -> list[Change]``: ``pair`` holds one entry of the base
snapshot and of the new one (:class:`~.base.Pair`: ``None`` on the side it is missing from),
``at`` locates problems in the new catalog and cites the base (:class:`~.base.Locator`).
It returns nothing when the entry did not change the way it judges. :func:`.classify.classify`
runs the rules of each tuple on every entry of its kind, in the order listed:

- ``CATALOG``: the whole snapshots (one pair, ``name`` empty);
- ``SILOS``: each silo of either side;
- ``FLOWS``: each flow of either side of a silo present on both;
- ``CONSUMERS``: each analytics consumer of either side.

docs/contributing.md ("Add a catalog change rule") adds one; docs/day-2.md lists every kind.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Change, Locator, Pair
from .columns import columns_changed
from .consumer_added import consumer_added
from .consumer_location import consumer_location_changed
from .consumer_removed import consumer_removed
from .consumer_silos import consumer_silos_changed
from .datalake_account import datalake_account_changed
from .decommission import decommission_changed
from .deploy_role import deploy_role_changed
from .flow_added import flow_added
from .flow_aws_name import flow_aws_name_changed
from .flow_removed import flow_removed
from .flow_renamed import flow_renamed
from .flow_source import flow_source_changed
from .layout import layout_changed
from .org_account import silo_account_given
from .organization_identity import organization_identity_changed
from .owners import owners_changed
from .raw_format import raw_format_changed
from .schema_version import schema_version_changed
from .sftp import sftp_changed
from .silo_account import silo_account_changed
from .silo_added import silo_added
from .silo_email import silo_email_changed
from .silo_region import silo_region_changed
from .silo_removed import silo_removed
from .units_forgotten import units_forgotten
from .upload import upload_turned_off
from .warehouse import warehouse_changed

Rule = Callable[[Pair, Locator], list[Change]]

CATALOG: tuple[Rule, ...] = (organization_identity_changed, deploy_role_changed, datalake_account_changed)
SILOS: tuple[Rule, ...] = (
    silo_removed,
    silo_added,
    silo_account_changed,
    silo_account_given,
    silo_email_changed,
    silo_region_changed,
    decommission_changed,
    warehouse_changed,
    sftp_changed,
    upload_turned_off,
    units_forgotten,
    owners_changed,
)
FLOWS: tuple[Rule, ...] = (
    flow_renamed,
    flow_removed,
    flow_added,
    schema_version_changed,
    columns_changed,
    layout_changed,
    raw_format_changed,
    flow_aws_name_changed,
    flow_source_changed,
)
CONSUMERS: tuple[Rule, ...] = (consumer_removed, consumer_added, consumer_location_changed, consumer_silos_changed)
