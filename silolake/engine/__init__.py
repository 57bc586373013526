"""The engine: which one runs and how its Node.js process starts (``env``, importing no engine),
and its bindings (``cdk``, the only module that imports one). ``lazy_provider.cjs`` is the Node.js
preload ``env`` installs."""
