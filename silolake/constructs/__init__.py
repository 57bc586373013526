"""Constructs: one module per capability, composed by ``silolake.stacks``."""
