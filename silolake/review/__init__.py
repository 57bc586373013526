"""Review: offline answers for a pull request, from the catalog, its synthesized Terraform and
plans, with no AWS account.

``affected`` (which stacks a change touches), ``access_diff`` (who gains or loses read access,
evaluated by the offline IAM engine in :mod:`silolake.ops.iam`), ``plan_summary`` and
``policy_diff`` (a ``terraform show -json`` plan as Markdown: data loss, policy growth,
sharing), ``diagram`` (the organization and its data paths). Nothing here imports the engine.
"""
