"""Operations: what runs against AWS or the repository rather than into Terraform.

``bootstrap`` (ids into the lock file, state buckets), ``state_buckets`` (their
guardrails), ``targets`` (stacks, accounts, deploy roles, waves). Nothing here imports
cdktf.
"""
