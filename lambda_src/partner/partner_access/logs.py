"""The one structured (JSON) logger of the partner functions.

Powertools' ``Logger`` writes one JSON object per line to stdout, which Lambda sends to
the function's log group. Every module logs through this instance so that the keys given
in ``extra`` land at the top level of each event. Nothing here ever logs a password, a
password hash or a request body.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "silolake-partner")
