"""Pure policy builders: IAM, bucket, key and SCP documents as plain Python data.

Nothing in this package imports cdktf (a test enforces it): the documents appear
literally in the synthesized JSON, reviewers read them in the plan, and the test suite
evaluates them offline with a real IAM policy engine.

- :mod:`.documents`: statement building blocks (``document``, ``render``, TLS-only, ...);
  re-exported here, so ``from silolake import policy; policy.document(...)`` reads well.
- :mod:`.sharing`: OU-path scoped grants between accounts.
- :mod:`.scp`: the guardrail service control policies of the silos OU.
"""

from .documents import *  # noqa: F403
from .documents import __all__  # noqa: F401
