"""Entry point for the CDKTF CLI (`npx cdktf synth` / `npx cdktf deploy`, see cdktf.json).

It builds the same stacks as `silolake synth`, on whichever engine `SILOLAKE_ENGINE`
selects (default CDK Terrain), and prints the same notices. The output directory is
chosen by the CLI (`CDKTF_OUTDIR`, which both engines read). The catalog is
`SILOLAKE_CATALOG` if set, else the `silolake:catalog` context value of cdktf.json,
else `silos.yaml`.
"""

import os
import sys

# HashiCorp's checkpoint (version check and usage report) is an outbound call nothing here
# needs; the CLI and anything the app starts honour this variable.
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

from silolake.catalog import CatalogError, load_catalog  # noqa: E402
from silolake.synth.app import make_app, synth_into  # noqa: E402
from silolake.synth.feedback import synth_notices  # noqa: E402

CATALOG_ENV = "SILOLAKE_CATALOG"
CATALOG_CONTEXT = "silolake:catalog"


def run() -> None:
    app = make_app()
    path = os.environ.get(CATALOG_ENV) or app.node.try_get_context(CATALOG_CONTEXT) or "silos.yaml"
    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    for notice in synth_notices(catalog):
        print(f"notice: {notice}", file=sys.stderr)
    synth_into(app, catalog)


if __name__ == "__main__":
    run()
