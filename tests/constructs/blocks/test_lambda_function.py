"""LambdaFunction: reproducible packaging and the resources around the function."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from silolake.constructs.blocks.lambda_function import ZIP_DATE_TIME, build_package, source_files, zip_bytes

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "lambda_echo"
EXPECTED_FILES = ["echo/__init__.py", "echo/shape.py", "handler.py"]
FUNCTION = "acme-sales-echo"
ACCOUNT, REGION = "444444444444", "eu-west-1"
EXTRA = {
    "Sid": "ReadConfig",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::acme-sales-raw-444444444444-euw1/config/*",
}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the fixture folder that tests may modify."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "src"))


def test_two_builds_give_identical_bytes_and_name(source, tmp_path):
    first = build_package(source, FUNCTION, tmp_path / "build-a")
    second = build_package(source, FUNCTION, tmp_path / "build-b")
    assert first.path.name == second.path.name
    assert first.path.read_bytes() == second.path.read_bytes()


def test_name_carries_the_sha256_of_the_zip(source, tmp_path):
    package = build_package(source, FUNCTION, tmp_path / "build")
    data = package.path.read_bytes()
    assert package.sha256 == hashlib.sha256(data).hexdigest()
    assert package.path.name == f"{FUNCTION}-{package.sha256}.zip"
    assert package.source_code_hash == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_mtimes_modes_and_caches_do_not_change_the_zip(source, tmp_path):
    before = zip_bytes(source)
    for path in source.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    (source / "handler.py").chmod(0o755)
    (source / "echo" / "__pycache__").mkdir()
    (source / "echo" / "__pycache__" / "shape.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (source / "stray.pyc").write_bytes(b"\x00")
    assert zip_bytes(source) == before


@pytest.mark.parametrize("change", ["edit", "add", "rename"])
def test_any_source_change_changes_the_hash(source, tmp_path, change):
    before = build_package(source, FUNCTION, tmp_path / "build")
    if change == "edit":
        (source / "echo" / "shape.py").write_text("def reply(event):\n    return {'statusCode': 201}\n")
    elif change == "add":
        (source / "echo" / "extra.py").write_text("X = 1\n")
    else:
        (source / "handler.py").rename(source / "main.py")
    after = build_package(source, FUNCTION, tmp_path / "build")
    assert after.sha256 != before.sha256 and after.path.name != before.path.name


def test_zip_contains_exactly_the_sources_with_fixed_metadata(source):
    (source / "echo" / "__pycache__").mkdir()
    (source / "echo" / "__pycache__" / "shape.cpython-311.pyc").write_bytes(b"\x00")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(source))) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == EXPECTED_FILES
        for info in infos:
            assert info.date_time == ZIP_DATE_TIME
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert archive.read(info) == (FIXTURE / info.filename).read_bytes()


def test_empty_or_missing_folder_is_an_error(tmp_path):
    (tmp_path / "empty" / "__pycache__").mkdir(parents=True)
    with pytest.raises(ValueError, match="no files"):
        source_files(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        source_files(tmp_path / "missing")


# --- synthesized resources ------------------------------------------------------------


def _synth(out: Path, build_dir: Path) -> dict:
    from silolake.constructs.blocks.lambda_function import FunctionSpec, LambdaFunction
    from silolake.engine.cdk import TerraformStack, aws
    from silolake.synth.app import make_app

    app = make_app(str(out))
    stack = TerraformStack(app, "fn")
    aws.provider.AwsProvider(stack, "aws", region=REGION)
    key = aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True)
    LambdaFunction(
        stack,
        "echo",
        FunctionSpec(
            function_name=FUNCTION,
            role_name="silolake-sales-echo",
            source_dir=FIXTURE,
            handler="handler.handler",
            kms_key_arn=key.arn,
            account_id=ACCOUNT,
            region=REGION,
            environment={"TABLE": "orders"},
            policy_statements=[EXTRA],
            build_dir=build_dir,
        ),
    )
    app.synth()
    return json.loads((out / "stacks" / "fn" / "cdk.tf.json").read_text())


@pytest.fixture(scope="module")
def synths(tmp_path_factory):
    """The same function synthesized twice, with different build and output directories."""
    base = tmp_path_factory.mktemp("lambda")
    return [(base / f"out-{n}", _synth(base / f"out-{n}", base / f"build-{n}")) for n in ("a", "b")]


def _one(doc: dict, rtype: str) -> dict:
    (resource,) = doc["resource"][rtype].values()
    return resource


@pytest.mark.slow
def test_synth_is_byte_identical_across_build_dirs(synths):
    (out_a, _), (out_b, _) = synths
    assert (out_a / "stacks/fn/cdk.tf.json").read_bytes() == (out_b / "stacks/fn/cdk.tf.json").read_bytes()
    assets_a = sorted(p.relative_to(out_a) for p in (out_a / "stacks/fn/assets").rglob("*.zip"))
    assets_b = sorted(p.relative_to(out_b) for p in (out_b / "stacks/fn/assets").rglob("*.zip"))
    assert assets_a == assets_b and len(assets_a) == 1
    assert (out_a / assets_a[0]).read_bytes() == (out_b / assets_b[0]).read_bytes()


@pytest.mark.slow
def test_function_points_at_the_packaged_asset(synths):
    out, doc = synths[0]
    fn = _one(doc, "aws_lambda_function")
    zipped = out / "stacks" / "fn" / fn["filename"]
    assert zipped.is_file() and zipped.read_bytes() == zip_bytes(FIXTURE)
    assert fn["source_code_hash"] == base64.b64encode(hashlib.sha256(zipped.read_bytes()).digest()).decode()
    assert fn["handler"] == "handler.handler" and fn["runtime"] == "python3.11"


@pytest.mark.slow
def test_function_has_own_role_log_group_and_kms(synths):
    _, doc = synths[0]
    fn = _one(doc, "aws_lambda_function")
    group = _one(doc, "aws_cloudwatch_log_group")
    role = _one(doc, "aws_iam_role")
    inline = _one(doc, "aws_iam_role_policy")
    role_id = next(iter(doc["resource"]["aws_iam_role"]))
    group_id = next(iter(doc["resource"]["aws_cloudwatch_log_group"]))

    assert fn["role"] == f"${{aws_iam_role.{role_id}.arn}}"
    assert fn["kms_key_arn"] == "${aws_kms_key.key.arn}"
    assert fn["environment"] == {"variables": {"TABLE": "orders"}}
    assert fn["logging_config"]["log_group"] == f"${{aws_cloudwatch_log_group.{group_id}.name}}"
    assert f"aws_cloudwatch_log_group.{group_id}" in fn["depends_on"]

    assert group["name"] == f"/aws/lambda/{FUNCTION}"
    assert group["kms_key_id"] == "${aws_kms_key.key.arn}" and group["retention_in_days"] >= 365

    trust = json.loads(role["assume_role_policy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
    statements = json.loads(inline["policy"])["Statement"]
    assert EXTRA in statements
    logs = next(s for s in statements if s.get("Sid") == "WriteOwnLogs")
    assert logs["Resource"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{FUNCTION}:log-stream:*"
    decrypt = next(s for s in statements if s.get("Sid") == "DecryptEnvironment")
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == "${aws_kms_key.key.arn}"
    for statement in statements:  # only the caller's statement and the function's own needs
        assert "*" not in json.dumps(statement["Action"])
    assert len(statements) == 3
    assert "aws_iam_role_policy_attachment" not in doc["resource"]


def _wheel(folder: Path, name: str, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for arcname, data in files.items():
            archive.writestr(arcname, data)
    return path


def test_a_locked_wheel_is_bundled_and_a_mismatched_one_refused(source):
    wheel = _wheel(source / "wheels", "zones-1.0-py3-none-any.whl", {"zones/__init__.py": b"", "zones/Rome": b"TZif"})
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (source / "requirements.lock").write_text(f"zones==1.0 \\\n    --hash=sha256:{digest}\n")
    names = zipfile.ZipFile(io.BytesIO(zip_bytes(source))).namelist()
    assert names == sorted([*EXPECTED_FILES, "zones/Rome", "zones/__init__.py"])  # no lock, no wheels/
    (source / "requirements.lock").write_text(f"zones==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(ValueError, match=f"has sha256 {digest}, which the lock does not pin"):
        zip_bytes(source)
    (source / "requirements.lock").write_text("zones==2.0 --hash=sha256:" + digest + "\n")
    with pytest.raises(ValueError, match="zones==2.0 needs exactly one wheel in wheels/, found 0"):
        zip_bytes(source)


def test_a_bundled_wheel_cannot_shadow_the_functions_code(source):
    wheel = _wheel(source / "wheels", "evil-1.0-py3-none-any.whl", {"handler.py": b"print('not yours')"})
    (source / "requirements.lock").write_text(
        f"evil==1.0 --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n"
    )
    with pytest.raises(ValueError, match="would overwrite handler.py"):
        zip_bytes(source)


def test_the_freshness_check_bundles_the_pinned_tz_database():
    from silolake.constructs.blocks.lambda_function import LAMBDA_SRC, bundled_wheels

    (wheel,) = bundled_wheels(LAMBDA_SRC / "freshness")
    assert wheel.name.startswith("tzdata-")
