"""Tests of runtime code under lambda_src/ (handlers called directly, AWS through moto)."""
