"""Accounts: the only writes silolake makes to AWS outside Terraform.

``bootstrap`` (account and OU ids into the lock file; every account's state bucket) and
``state_buckets`` (the guardrails of those buckets). Run with management-account credentials
(docs/account-lifecycle.md). Nothing here imports the engine.
"""
