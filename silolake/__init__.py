"""silolake: one declarative catalog (silos.yaml) -> Terraform for a multi-account AWS data lake.

The package is layered so that data flows one way:
``silolake.catalog`` (YAML -> validated, typed model; never imports cdktf)
-> ``silolake.stacks`` (one Terraform stack per AWS account, composing constructs)
-> ``silolake.constructs`` (one module per capability) -> synthesized JSON.
"""

__version__ = "0.1.0"
