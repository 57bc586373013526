"""Synthesis: the catalog into Terraform JSON, one stack per account (``app``), a stack in an app of
its own (``one``), worker processes for ``--jobs`` (``pool``), the per-stack cache (``cache``) and its
control messages (``control``)."""
