"""The cheap ghost forgets exactly what the full ghost forgets (docs/day-2.md).

``silolake.stacks.ghosts`` builds the ghost of a silo without its deployment pipeline,
reads only the types that can be forgotten, and skips the ghost of a silo that already has
every capability. Here the full ghost (the whole ``SiloStack`` with every capability on)
is built beside it for silos of the example and of ``catalogs/full.yaml`` (one with every
capability, others lacking some, one stripped of all) and both must give the same addresses.
"""

from __future__ import annotations

import dataclasses

import pytest

from silolake.aws.terraform_text import terraform_view
from silolake.catalog import load_catalog
from silolake.engine.cdk import APP_CONTEXT, App
from silolake.stacks import continuity, ghosts
from silolake.stacks.silo import SiloStack
from tests.conftest import EXAMPLE

from .edits import FULL

pytestmark = pytest.mark.slow


#: The example's silo without partner channels, warehouse or malware hold and its silo with the most
#: flows (several of one shape: the cheap ghost keeps one of each); both of the full catalog.
CHOSEN = {EXAMPLE: ("facilities", "sales"), FULL: ("hub", "yard")}


def _silos():
    for path, chosen in CHOSEN.items():
        catalog = terraform_view(load_catalog(path))
        for silo in catalog.deployable_silos:
            if silo.name in chosen:
                yield catalog, silo
    # A silo that lost its partner channels, warehouse and malware hold (forgets the most).
    catalog = terraform_view(load_catalog(FULL))
    hub = next(s for s in catalog.deployable_silos if s.name == "hub")
    bare = dataclasses.replace(
        hub,
        malware_protection=False,
        ingestion=dataclasses.replace(hub.ingestion, sftp_enabled=False, web_upload_enabled=False),
        flows=tuple(dataclasses.replace(f, warehouse=False, quicksight=False) for f in hub.flows),
    )
    yield catalog, bare
    # Many flows of each shape (the cheap ghost builds one of each): the bare hub with every
    # flow twice more under other names.
    many = tuple(dataclasses.replace(f, name=f"{f.name}{n}") for n in ("", "_b", "_c") for f in bare.flows)
    yield catalog, dataclasses.replace(bare, name="many", flows=many)


@pytest.mark.parametrize("case", list(_silos()), ids=lambda c: c[1].name)
def test_the_cheap_ghost_forgets_what_the_full_ghost_forgets(case):
    catalog, silo = case
    stack = SiloStack(App(context=dict(APP_CONTEXT), skip_validation=True), catalog=catalog, silo=silo)
    model = ghosts.capabilities_ghost(silo)
    full = SiloStack(ghosts.scratch_app(), catalog=catalog, silo=model)
    expected = continuity.gone_with_data(full, stack, skip=ghosts.GHOST_WAREHOUSE_FLOW)
    if model == silo:
        assert expected == set()  # every capability on: the ghost is skipped, rightly
        return
    cheap = continuity.gone_with_data(ghosts.ghost_stack(catalog, model, silo), stack, skip=ghosts.GHOST_WAREHOUSE_FLOW)
    assert cheap == expected
    if silo.name == "many":  # the cut is exercised: three flows of each shape, one built
        assert len(ghosts.representatives(silo, model)) < len(model.flows) - 4
    if silo.name in ("hub", "many"):  # the bare hub: the check is not vacuous
        assert any(a.startswith("aws_redshiftserverless_namespace.") for a in expected)
        assert any(a.startswith("aws_transfer_server.") for a in expected)
