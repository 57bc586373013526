"""Freshness check of silolake flows: pure window and verdict rules (:mod:`.window`, :mod:`.verdict`)."""
