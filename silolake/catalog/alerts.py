"""``silos[].alerts``: where alarms go besides the owners' e-mail (docs/operations.md).

The schema checks the secret name's characters; this refuses the one form Secrets Manager's
user guide warns against: a name ending in a hyphen and six characters looks like the random
suffix AWS appends to secret ARNs, so the ARN pattern granting the forwarder its secret
(``<name>-??????``) could match another secret too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..aws import arns
from .errors import Path as KeyPath

_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def check_alerts(path: KeyPath, silo: dict[str, Any], add: Callable[[KeyPath, str], None]) -> None:
    alerts = silo.get("alerts")
    secret = alerts.get("webhook_secret") if isinstance(alerts, dict) else None
    # An ARN is refused by the schema's pattern (':' is no name character), which says to give
    # the name: its random suffix is no second problem to report.
    if isinstance(secret, str) and not arns.is_arn(secret) and _ARN_SUFFIX.search(secret):
        add(
            path + ("alerts", "webhook_secret"),
            f"secret name '{secret}' ends like the random suffix Secrets Manager appends to ARNs "
            "(a hyphen and six characters); rename the secret, e.g. end it in '/webhook'",
        )
