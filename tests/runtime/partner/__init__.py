"""Tests of lambda_src/partner (credential vending, partner session, SFTP identity provider)."""
