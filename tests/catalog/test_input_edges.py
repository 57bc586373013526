"""Bad input at the edge: oversized, unreadable and non-UTF-8 files, duplicate keys among
other problems. Each is one located ``file:line:col`` problem, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.source import MAX_BYTES, read_yaml


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(CatalogError) as info:
        read_yaml(path, display_name=path.name, **kw)
    return [str(p) for p in info.value.problems]


def test_oversized_file_is_refused_where_the_limit_is_reached(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"silos:\n" + b"  - x\n" * 100)  # 607 bytes
    [message] = problems(path, max_bytes=100)
    # byte 100 is on line 17 (7 + 6 * 15 = 97 bytes before it), its 4th character
    assert message.startswith("big.yaml:17:4: (document): the file is larger than 100 bytes, the most a catalog may be")


def test_a_50_mb_list_is_refused_fast_and_without_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    line = b"  - 0123456789012345678901234567890123456789\n"
    with path.open("wb") as f:
        f.write(b"silos:\n")
        f.write(line * (50 * 1024 * 1024 // len(line)))
    start = time.perf_counter()
    [message] = problems(path)
    assert time.perf_counter() - start < 5  # reads MAX_BYTES + 1, parses nothing (no benchmark, a hang guard)
    assert f"larger than {MAX_BYTES:,} bytes" in message
    assert message.startswith("huge.yaml:") and ":1:1:" not in message


def test_unreadable_file_is_located(tmp_path, monkeypatch):
    path = tmp_path / "locked.yaml"
    path.write_text("version: 1\n")

    def denied(self, *a, **kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert problems(path) == ["locked.yaml:1:1: (document): cannot read file: Permission denied"]


def test_a_fifo_is_refused_instead_of_blocking(tmp_path):
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert problems(fifo) == ["pipe.yaml:1:1: (document): is not a regular file, expected a YAML file"]


@pytest.mark.parametrize(
    ("data", "where", "byte"),
    [
        (b"version: 1\norganization:\n  name: caf\xe9\n", "3:12", "0xe9"),  # Latin-1 e-acute
        (b"a: \xc3\xa9\xc3\xa9 \xff\n", "1:7", "0xff"),  # column counts characters, not bytes
        (b"\xef\xbb\xbfa: 1\nb: \x80\n", "2:4", "0x80"),  # after a byte-order mark
    ],
)
def test_invalid_utf8_is_located_at_the_bad_byte(tmp_path, data, where, byte):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(data)
    [message] = problems(path)
    assert message.startswith(f"latin1.yaml:{where}: (document): not UTF-8 text: byte {byte} (")


def test_duplicate_key_no_longer_hides_the_catalogs_other_problems(tmp_path, example_text):
    text = example_text.replace("version: 1", "version: 1\nversion: 1", 1).replace(
        'schedule: "rate(1 hour)"', 'schedule: "rate(0 hours)"', 1
    )
    path = tmp_path / "silos.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    messages = [p.message for p in info.value.problems]
    assert any(m.startswith("duplicate key 'version'") for m in messages), messages
    assert any("invalid schedule 'rate(0 hours)'" in m for m in messages), messages
