"""The one structured (JSON) logger of the partner functions.

Powertools' ``Logger`` writes one JSON object per line to stdout, which Lambda sends to
the function's log group. Every module logs through this instance so that the keys given
in ``extra`` land at the top level of each event. Nothing here ever logs a password, a
password hash or a request body.
"""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "silolake-partner")

# The AWS SDK logs whole request and response bodies at DEBUG: secret values (password
# hashes), and the temporary credentials STS returns. Lambda's log-level setting
# (AWS_LAMBDA_LOG_LEVEL=DEBUG) would turn that on for the root logger; these loggers
# stay at WARNING whatever it says.
for _name in ("boto3", "botocore", "urllib3", "s3transfer"):
    logging.getLogger(_name).setLevel(logging.WARNING)
