"""A Lambda function packaged from a source folder, with its own role and log group.

Packaging is deterministic: the same folder always gives the same zip, byte for byte
(sorted entries, fixed 1980-01-01 timestamps, fixed permissions, no bytecode caches),
and the zip's SHA-256 is both in its file name and in ``source_code_hash``. So a synth
of unchanged code is byte-identical and ``terraform plan`` shows no change, while any
edit to a source file changes the hash and redeploys exactly that function.

Third-party code a function needs beyond the runtime and its layers is bundled from wheels
committed beside it: ``requirements.lock`` pins each (``name==version`` with ``--hash=sha256:``)
and ``wheels/`` holds the wheel, whose hash is checked on every build before its files join the
zip at its root (the lock and the wheels themselves are not packaged). Nothing is downloaded.

Security defaults: the function's role trusts only Lambda and carries the caller's
statements plus writing to its own log group; the log group is KMS-encrypted with
retention; environment variables are encrypted with the given (silo) key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ... import policy
from ...aws import arns, names
from ...engine.cdk import AssetType, Construct, TerraformAsset, aws
from ...policy.functions import own_log_statements, runtime_statements
from ...runtime import runtime_path
from .service_role import encrypted_log_group, service_role

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = 0o644
EXCLUDED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".git"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_NAMES = frozenset({".DS_Store"})
#: Runtime code of the framework's Lambda functions, one folder per function.
LAMBDA_SRC = runtime_path("lambda")
#: Default place for built zips; content-addressed, so builds can share it safely.
DEFAULT_BUILD_DIR = Path(tempfile.gettempdir()) / "silolake-lambda-build"
#: Powertools for AWS Lambda (Python) v3, AWS-managed layer (account 017000801446), pinned version.
POWERTOOLS_LAYER_VERSION = 27
POWERTOOLS_ACCOUNT = "017000801446"
#: The accounts that publish the same layer in the GovCloud regions (Powertools for AWS Lambda
#: (Python) docs, "Lambda Layer", "AWS GovCloud regions": version 27 exists in both).
POWERTOOLS_GOVCLOUD_ACCOUNTS = {"us-gov-east-1": "165087284144", "us-gov-west-1": "165093116878"}
POWERTOOLS_LAYER = "AWSLambdaPowertoolsPythonV3-python311-x86_64"


def powertools_layer(region: str) -> str:
    """The layer version ARN in ``region`` (the same version number exists in every region)."""
    account = POWERTOOLS_GOVCLOUD_ACCOUNTS.get(region, POWERTOOLS_ACCOUNT)
    return arns.regional("lambda", region, account, f"layer:{POWERTOOLS_LAYER}:{POWERTOOLS_LAYER_VERSION}")


#: The bundling lock of a function folder and the folder of its wheels (neither is packaged).
BUNDLE_LOCK, WHEELS = "requirements.lock", "wheels"
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def bundled_wheels(source_dir: Path) -> list[Path]:
    """The wheels ``source_dir/requirements.lock`` pins, each checked against its hashes.

    Raises ValueError naming the pin whose wheel is missing or whose SHA-256 the lock does not list."""
    lock = Path(source_dir) / BUNDLE_LOCK
    if not lock.is_file():
        return []
    text = re.sub(r"\\\n", " ", lock.read_text())
    wheels = []
    for line in text.splitlines():
        pin = _PIN.match(line.strip())
        if not pin:
            continue
        name, version = pin.group(1).replace("-", "_"), pin.group(2)
        found = sorted((Path(source_dir) / WHEELS).glob(f"{name}-{version}-*.whl"))
        if len(found) != 1:
            raise ValueError(f"{lock}: {name}=={version} needs exactly one wheel in {WHEELS}/, found {len(found)}")
        digest = hashlib.sha256(found[0].read_bytes()).hexdigest()
        if digest not in _HASH.findall(line):
            raise ValueError(f"{lock}: {found[0].name} has sha256 {digest}, which the lock does not pin")
        wheels.append(found[0])
    return wheels


def source_files(source_dir: Path) -> list[tuple[str, Path]]:
    """``(archive name, path)`` of every file to package, sorted by archive name."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"Lambda source folder {source_dir} does not exist")
    found = []
    for root, dirs, files in os.walk(source_dir):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS and not (Path(root) == source_dir and d == WHEELS)]
        for name in files:
            if name in EXCLUDED_NAMES or name.endswith(EXCLUDED_SUFFIXES):
                continue
            if Path(root) == source_dir and name == BUNDLE_LOCK:
                continue
            path = Path(root) / name
            found.append((path.relative_to(source_dir).as_posix(), path))
    if not found:
        raise ValueError(f"Lambda source folder {source_dir} has no files to package")
    return sorted(found)


def _entries(source_dir: Path) -> list[tuple[str, bytes]]:
    """``(archive name, bytes)`` of the folder's files and its bundled wheels' files, sorted;
    a name both provide is refused (a wheel must not shadow the function's code)."""
    entries = {arcname: path.read_bytes() for arcname, path in source_files(source_dir)}
    for wheel in bundled_wheels(source_dir):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith("/") or name.endswith(EXCLUDED_SUFFIXES):
                    continue
                if name in entries:
                    raise ValueError(f"{wheel.name} would overwrite {name} of {source_dir}")
                entries[name] = archive.read(name)
    return sorted(entries.items())


def zip_bytes(source_dir: Path) -> bytes:
    """The deterministic zip of ``source_dir`` and its bundled wheels (independent of mtimes, umask, walk order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for arcname, data in _entries(source_dir):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr carries the mode below
            info.external_attr = (0o100000 | FILE_MODE) << 16  # regular file, rw-r--r--
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


@dataclass(frozen=True)
class Package:
    path: Path
    sha256: str  # hex, also in the file name

    @property
    def source_code_hash(self) -> str:
        """What Terraform's ``filebase64sha256`` would give for the zip."""
        return base64.b64encode(bytes.fromhex(self.sha256)).decode()


def build_package(source_dir: Path, name: str, build_dir: Path = DEFAULT_BUILD_DIR) -> Package:
    """Write ``<name>-<sha256>.zip`` into ``build_dir`` (atomically; reused when present)."""
    data = zip_bytes(source_dir)
    digest = hashlib.sha256(data).hexdigest()
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    target = build_dir / f"{name}-{digest}.zip"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=build_dir, prefix=f".{name}-", suffix=".zip")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    return Package(target, digest)


@dataclass(frozen=True)
class FunctionSpec:
    """What one Lambda function is: code, identity, permissions and limits.

    ``handler`` is Lambda's handler string (``handler.admin_handler``); ``timeout`` is in
    seconds (Lambda allows 1-900), ``memory_size`` in MB (128-10,240). ``kms_key_arn``
    encrypts the environment and the log group. ``layers`` are layer version ARNs (for
    example the AWS-managed Powertools layer). ``policy_statements`` are the function's
    only permissions besides its own logs (and decrypting its environment).
    """

    function_name: str
    role_name: str
    source_dir: Path
    handler: str
    kms_key_arn: str
    account_id: str
    region: str
    policy_statements: Sequence[policy.Statement] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    layers: Sequence[str] = ()
    runtime: str = "python3.11"
    description: str = ""
    timeout: int = 30
    memory_size: int = 256
    tracing: bool = False
    reserved_concurrency: int | None = None
    build_dir: Path = DEFAULT_BUILD_DIR


class LambdaFunction(Construct):
    """A Python function packaged from ``spec.source_dir``, with its own role and log group.

    Off by default, with the reasons:
    ``tracing`` (X-Ray needs ``xray:Put*`` on ``*`` and costs per trace; turn on when
    investigating), ``reserved_concurrency`` (new accounts have a concurrency quota of
    10, and reserving any of it fails there), VPC attachment (the functions silolake
    ships only call AWS APIs; a VPC would need endpoints or NAT for no isolation gain).
    Attributes: ``function``, ``role``, ``log_group``, ``package``.
    """

    def __init__(self, scope: Construct, id: str, spec: FunctionSpec) -> None:
        super().__init__(scope, id)
        key_arn = spec.kms_key_arn
        function_name, environment, tracing = spec.function_name, dict(spec.environment), spec.tracing
        self.package = build_package(Path(spec.source_dir), function_name, spec.build_dir)
        # The explicit asset hash keeps the asset's output path a function of the zip
        # content alone (not of where the build directory happens to be).
        asset = TerraformAsset(
            self, "code", path=str(self.package.path), type=AssetType.FILE, asset_hash=self.package.sha256
        )
        group = names.lambda_log_group(function_name)
        self.log_group = encrypted_log_group(self, "logs", name=group, kms_key_arn=key_arn)
        statements = [
            *own_log_statements(spec.region, spec.account_id, group),
            *spec.policy_statements,
            *runtime_statements(key_arn, environment=bool(environment), tracing=tracing),
        ]
        self.role = service_role(
            self,
            "role",
            name=spec.role_name,
            service=arns.service_principal("lambda", arns.partition_of(spec.region)),
            description=spec.description or f"Lambda function {function_name}",
            statements=statements,
            # Only Lambda acting for this account may assume the role (confused-deputy pin).
            trust_condition={"StringEquals": {"aws:SourceAccount": spec.account_id}},
        )
        self.function = aws.lambda_function.LambdaFunction(
            self,
            "function",
            function_name=function_name,
            description=spec.description or None,
            role=self.role.arn,
            handler=spec.handler,
            runtime=spec.runtime,
            layers=list(spec.layers) or None,
            filename=asset.path,
            source_code_hash=self.package.source_code_hash,
            timeout=spec.timeout,
            memory_size=spec.memory_size,
            kms_key_arn=key_arn,
            environment={"variables": environment} if environment else None,
            tracing_config={"mode": "Active" if tracing else "PassThrough"},
            reserved_concurrent_executions=spec.reserved_concurrency,
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            # Without these, a first invocation could race the policy or let Lambda
            # create an unencrypted, never-expiring log group of the same name.
            depends_on=[self.role.policy, self.log_group],
        )
