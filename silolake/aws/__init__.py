"""AWS vocabulary the framework writes: partition-aware ARN builders and service principals
(:mod:`.arns`). Pure functions of strings: no catalog, engine or construct imports, so every
layer (catalog validation, policy builders, constructs, review tools) can use them."""
