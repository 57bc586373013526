"""Constructs: building blocks and one package per capability, composed by ``silolake.stacks``.

Layout
------
``blocks/``
    Building blocks: :class:`SecureBucket`, :class:`CustomerKey`, ``service_role``,
    ``encrypted_log_group``, :class:`LambdaFunction`. They take **primitives** (names,
    ARNs, policy statements as plain dicts) and return typed handles. They know nothing
    of silos, flows or the catalog.
``storage/``, ``ingestion/``, ``partner/``, ``etl/``, ``analytics/``, ``org/``, ``delivery/``
    Capability packages. Each exports its public constructs through ``__all__``; import
    them from the package (``from silolake.constructs.storage import SiloStorage``).

The construct API (every construct follows it)
----------------------------------------------
1. Building blocks take primitives; a silo's capability constructs take its context
   (:class:`~.context.SiloContext`: organization, the ``DeployedSilo``, partition, account,
   region, key, buckets and bound name/ARN builders; :class:`~.context.SiloAddress` before
   storage exists), the flows they serve (:class:`~silolake.catalog.flow.Flow`), typed
   handles of the constructs they build on (``GlueCatalog``, ``ApiIngestion``, ...), and the
   grant statements the stack computed from :mod:`silolake.policy.sharing`. **Never the
   whole catalog**: what a capability may see is what its stack hands it, so a change to
   one silo cannot reach into another silo's resources through a construct.
2. No value is passed twice: a construct that receives the context reads ``account_id``,
   ``region``, the key and the buckets from it, never from separate arguments.
3. No untyped parameters. More than about eight options become a frozen
   ``@dataclass(frozen=True)`` spec (see :class:`~.blocks.lambda_function.FunctionSpec`).
4. Names come from :mod:`silolake.aws.names`, policy documents from :mod:`silolake.policy`;
   constructs never format an AWS name or a policy by hand.
5. A construct that deploys a Lambda function names its runtime folder in a module-level
   constant ``SOURCE = LAMBDA_SRC / "<function>"``; the runtime code there never imports
   silolake, cdktf or constructs (``tests/test_layout.py`` checks both).
6. Constructs never import ``silolake.stacks``; only :mod:`silolake.engine.cdk` imports cdktf.
"""
