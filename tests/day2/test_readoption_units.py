"""Day 2: what a silo builds once while anything switches it on (partner access, the flow
API, the landing function, the quality table) comes back safely when the last channel or
flow that held it went and another one brings it back; SFTP with ``keep_server`` forgets
nothing (issue 21, docs/day-2.md). Each case: ``validate --base`` on a scratch git repository
of catalog revisions, and synth of the silo stack showing the import blocks."""

from __future__ import annotations

from .edits import full_data, silo, synth_data
from .test_readoption import LOCK, _checked_imports, _repo, _validate, _write

HUB, YARD = "silo-hub", "silo-yard"
IDP_LOGS = "/aws/lambda/beta-hub-partner-idp"


def _kept(data) -> None:
    hub = silo(data)
    hub["ingestion"]["sftp"] = {"enabled": False, "keep_server": True, "allowed_cidrs": ["203.0.113.0/24"]}
    hub["flows"] = [f for f in hub["flows"] if f["source"] != "sftp"]
    hub["removed_flows"] = ["drops"]


def _log_groups(stack: dict) -> dict[str, str]:
    return {n: r["name"] for n, r in stack["resource"]["aws_cloudwatch_log_group"].items()}


def test_keep_server_keeps_the_identity_providers_log_group_so_sftp_comes_back_in_place(tmp_path):
    data = full_data()
    _kept(data)
    kept = synth_data(data, tmp_path / "kept", [HUB]).stack(HUB)
    on = synth_data(full_data(), tmp_path / "on", [HUB]).stack(HUB)
    [address] = [n for n, name in _log_groups(on).items() if name == IDP_LOGS]
    assert _log_groups(kept)[address] == IDP_LOGS  # same address: nothing forgotten, nothing to create
    assert f"aws_cloudwatch_log_group.{address}" not in {b["from"] for b in kept.get("removed", [])}
    assert not [f for f in kept["resource"]["aws_lambda_function"].values() if f["function_name"].endswith("-idp")]
    repo = _repo(tmp_path / "repo", lambda d: None, _kept)
    code, out = _validate(_write(repo, full_data()), "HEAD")
    assert code == 0 and "switched on again" not in out, out
    assert "SFTP turned on: silo 'hub': the kept server takes sign-ins again" in out


def test_a_stack_kept_by_an_earlier_silolake_takes_the_identity_providers_log_group_back(tmp_path):
    """An earlier keep_server forgot the idp log group: adopt: [sftp] while kept imports it."""
    repo = _repo(tmp_path / "repo", lambda d: None, _kept)
    data = full_data()
    _kept(data)
    silo(data)["adopt"] = ["sftp"]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0, out
    assert "guarded: adopt: sftp: silo 'hub': import blocks take back whichever of log group" in out, out
    assert "an earlier silolake forgot while SFTP (ingestion.sftp) was kept" in out
    imports = _checked_imports(synth_data(data, tmp_path / "synth", [HUB]), HUB, "400000000001")
    assert sorted(imports.values()) == [IDP_LOGS, "/aws/transfer/beta-hub-sftp"]  # the second: a no-op import


def _yard_without_flows(data) -> None:
    yard = silo(data, "yard")
    yard["flows"], yard["removed_flows"] = [], ["gates"]


def _upload_flow(name: str) -> dict:
    return {"name": name, "source": "upload", "format": "csv", "columns": [{"name": "x", "type": "string"}]}


def test_partner_access_back_through_another_channel_is_refused_then_adopted(tmp_path):
    """Yard's only channel was its api flow: removing it forgot partner access, the flow API
    and the quality table; an upload page brings partner access and the table back."""
    repo = _repo(tmp_path / "repo", lambda d: None, _yard_without_flows)
    data = full_data()
    _yard_without_flows(data)
    yard = silo(data, "yard")
    yard["ingestion"], yard["flows"] = {"web_upload": {"enabled": True}}, [_upload_flow("bins")]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    assert "silos[1].ingestion.web_upload.enabled: silo 'yard' switches partner access" in out
    assert "DynamoDB table 'beta-yard-partner-lockout'" in out and "adopt: [partner_access] to silo 'yard'" in out
    assert "silos[1].flows[0].source: silo 'yard' switches the quality results table" in out
    assert "Glue table 'silo_yard.silolake_quality', which stays in AWS under this fixed name" in out
    assert "landing" not in out.split("switches")[-1]  # never on before: a plain creation
    yard["adopt"] = ["partner_access", "quality"]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0, out
    assert "guarded: switched on again: partner_access: silo 'yard': import blocks take back" in out
    assert "guarded: switched on again: quality: silo 'yard': import blocks take back Glue table" in out
    assert "AWS generates the ids of nothing" not in out and "those are created anew" in out
    imports = _checked_imports(synth_data(data, tmp_path / "synth", [YARD]), YARD, "400000000002")
    assert "beta-yard-partner-lockout" in imports.values() and "silolake_quality" in {
        i.rsplit(":", 1)[-1] for i in imports.values()
    }
    assert not any("landing" in i for i in imports.values())  # landing is new: created


def test_a_new_api_flow_brings_back_partner_access_the_flow_api_and_the_quality_table(tmp_path):
    repo = _repo(tmp_path / "repo", lambda d: None, _yard_without_flows)
    data = full_data()
    _yard_without_flows(data)
    posts = dict(next(f for f in full_data()["silos"][1]["flows"]), name="posts")
    silo(data, "yard")["flows"] = [posts]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    for unit in ("partner_access", "flow_api", "quality"):
        assert f"adopt: [{unit}] to silo 'yard'" in out, unit
    silo(data, "yard")["adopt"] = ["partner_access", "flow_api", "quality"]
    assert _validate(_write(repo, data), "HEAD")[0] == 0
    imports = _checked_imports(synth_data(data, tmp_path / "synth", [YARD]), YARD, "400000000002")
    assert "/aws/apigateway/beta-yard-ingest/access" in imports.values(), imports


def test_the_removed_flow_adopted_back_under_its_name_takes_back_what_it_switched_on(tmp_path):
    repo = _repo(tmp_path / "repo", lambda d: None, _yard_without_flows)
    data = full_data()
    silo(data, "yard")["removed_flows"] = ["gates"]
    silo(data, "yard")["flows"][0]["adopt"] = True
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0 and "switched on again: partner_access" in out, out


def _landing_gone(data) -> None:
    yard = silo(data, "yard")
    yard["ingestion"] = {"web_upload": {"enabled": True}}
    yard["removed_flows"] = ["drops"]


def _with_drops(data) -> None:
    yard = silo(data, "yard")
    yard["ingestion"] = {"web_upload": {"enabled": True}}
    yard["flows"].append(_upload_flow("drops"))


def test_a_new_file_flow_after_the_last_one_went_brings_the_landing_logs_back(tmp_path):
    """Partner access and the quality table stay (yard keeps its api flow); the landing
    function's log group was forgotten with the last file flow."""
    repo = _repo(tmp_path / "repo", _with_drops, _landing_gone)
    data = full_data()
    _landing_gone(data)
    silo(data, "yard")["flows"].append(_upload_flow("bins"))
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 2, out
    assert "silos[1].flows[1].source: silo 'yard' switches the landing function" in out
    assert "log group '/aws/lambda/silolake-yard-landing'" in out
    assert "partner_access" not in out and "quality" not in out
    silo(data, "yard")["adopt"] = ["landing"]
    code, out = _validate(_write(repo, data), "HEAD")
    assert code == 0, out
    imports = _checked_imports(synth_data(data, tmp_path / "synth", [YARD]), YARD, "400000000002")
    assert list(imports.values()) == ["/aws/lambda/silolake-yard-landing"]


def _against_file(tmp_path, base_edit, now_edit) -> str:
    """``validate --base <file>`` of the full catalog edited by ``now_edit`` against it edited
    by ``base_edit``: the rules' messages without history."""
    import yaml

    base, now = full_data(), full_data()
    base_edit(base)
    now_edit(now)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    code, out = _validate(_write(tmp_path, now), str(tmp_path / "base.yaml"))
    assert code == 0, out
    return out


def _yard_sftp(keep: bool):
    def edit(data) -> None:
        _yard_without_flows(data)
        silo(data, "yard")["ingestion"] = {"sftp": {"enabled": False, "keep_server": keep}}

    return edit


def test_messages_say_when_partner_access_goes_and_only_then(tmp_path):
    out = _against_file(tmp_path / "sftp", _yard_sftp(True), _yard_sftp(False))
    assert "SFTP server forgotten: silo 'yard'" in out and "with no partner channel left, partner access" in out

    def upload_off(data) -> None:
        silo(data)["ingestion"]["web_upload"]["enabled"] = False
        silo(data)["flows"] = [f for f in silo(data)["flows"] if f["name"] != "prices"]
        silo(data)["removed_flows"] = ["prices"]

    out = _against_file(tmp_path / "upload", lambda d: None, upload_off)
    assert "upload channel turned off: silo 'hub'" in out and "partner access" not in out  # SFTP and api stay


def test_widening_a_consumer_forgets_no_workspace(tmp_path):
    def narrowed(data) -> None:
        data["analytics"][0]["silos"] = ["hub"]

    out = _against_file(tmp_path, narrowed, lambda d: None)
    assert "analytics silos changed: analytics 'bi': sharing updated" in out and "no longer needed" not in out
    out = _against_file(tmp_path / "narrow", lambda d: None, narrowed)
    assert "a regional workspace no longer needed is forgotten" in out
