"""Release: what turns synthesized stacks into deployable, verifiable artifacts and ships them.

``rendering`` (a stack rendered for a runner inside its account), ``stack_bundles``
(reproducible bundle zips with a manifest), ``publish`` (uploads to the central artifacts
bucket). Nothing here imports the engine.
"""
