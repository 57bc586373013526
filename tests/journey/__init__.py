"""A partner's file through each channel to the lake, offline: credential, session, the IAM
decision on every request the partner's client makes (policies as Terraform delivers them),
landing, the conform job and a reader using the synthesized table types.

The function folders go on ``sys.path`` here, before any module imports their packages:
that is how Lambda (zip root) and Glue (``--extra-py-files``) import them.
"""

import sys

from silolake.runtime import runtime_path

for _folder in (runtime_path("lambda", "partner"), runtime_path("lambda", "landing"), runtime_path("glue", "conform")):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
