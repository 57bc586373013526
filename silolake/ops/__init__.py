"""Operating a running lake, and tooling others import in place: :mod:`.redrive` (reprocess a
flow's raw days, replay quarantined files; ``silolake redrive``) and ``iam/``, the offline IAM
engine (``@cloud-copilot/iam-simulate`` pinned in ``iam/package.json``) that
``review.access_diff`` and the tests evaluate policies with.

The rest of what used to live here has a room of its own: :mod:`silolake.review`,
:mod:`silolake.release`, :mod:`silolake.accounts`, :mod:`silolake.dev`, and
:mod:`silolake.catalog.topology` (stacks, accounts, deploy roles, waves).
"""
