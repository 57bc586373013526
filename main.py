"""Entry point for the CDKTF CLI (`cdktf synth` / `cdktf deploy`, see cdktf.json).

It builds the same stacks as `silolake synth`; the output directory is chosen by the
CDKTF CLI (through the environment it sets for the app).
"""

import sys

from silolake.catalog import CatalogError, load_catalog
from silolake.synth import make_app, synth_into


def run(path: str = "silos.yaml") -> None:
    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    synth_into(make_app(), catalog)


if __name__ == "__main__":
    run()
