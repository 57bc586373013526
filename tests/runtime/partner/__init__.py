"""Tests of silolake/runtime/lambda/partner (credential vending, partner session, SFTP identity provider).

The function folder goes on ``sys.path`` here, before any test module imports
``partner_access``: that is how Lambda imports it (the folder is the zip's root).
"""

import sys

from silolake.runtime import runtime_path

SOURCE = runtime_path("lambda", "partner")
if str(SOURCE) not in sys.path:
    sys.path.insert(0, str(SOURCE))
