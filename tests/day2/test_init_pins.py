"""`silolake init` pins silolake itself by version and wheel hash, and says so when it cannot."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from silolake.cli import main
from silolake.dev.init import requirements_txt
from tests.day2.test_init_repository import ARGS


def test_wheel_option_pins_its_hash(tmp_path: Path) -> None:
    wheel = tmp_path / "silolake-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel, but hashed all the same")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *ARGS, "--wheel", str(wheel)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "lake" / "requirements.txt").read_text()
    assert f"--hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}" in text
    assert "without a hash" not in result.output + result.stderr


def test_editable_install_warns_that_no_hash_is_known(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *ARGS])
    assert result.exit_code == 0, result.output
    assert "warning: requirements.txt pins silolake without a hash" in result.output + result.stderr
    text = (tmp_path / "lake" / "requirements.txt").read_text()
    assert not [line for line in text.splitlines() if "--hash=" in line and not line.startswith("#")]
    assert "--wheel FILE" in text


def test_requirement_line_is_what_pip_reads() -> None:
    text = requirements_txt("1.2.3", "ab" * 32)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["silolake==1.2.3 \\", f"    --hash=sha256:{'ab' * 32}"]
