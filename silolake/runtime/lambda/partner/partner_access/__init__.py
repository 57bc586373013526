"""Partner access runtime: credential vending without a database, the partner session and
the Transfer Family identity provider. ``handler.py`` beside this package holds the Lambda
entry points; see ``README.md`` there for configuration, IAM actions and the HTTP contract."""
