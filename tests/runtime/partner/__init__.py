"""Tests of lambda_src/partner (credential vending, partner session, SFTP identity provider).

The function folder goes on ``sys.path`` here, before any test module imports
``partner_access``: that is how Lambda imports it (the folder is the zip's root).
"""

import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[3] / "lambda_src" / "partner"
if str(SOURCE) not in sys.path:
    sys.path.insert(0, str(SOURCE))
