"""Tests of runtime code under silolake/runtime/ (Lambda handlers called directly, AWS through moto)."""
