"""The wheel is the product: built from this repository, it holds every runtime asset, and
installed from it, the framework finds them.

Installed from a wheel, only the package exists: no ``lambda_src/`` beside it, no
repository. So every asset the framework deploys lives in ``silolake/runtime/`` and is
read through :func:`silolake.runtime.runtime_path`, and no module climbs out of the
package from its own file (the user's files are found beside the catalog instead).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from silolake.runtime import runtime_path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "silolake"
RUNTIME = PACKAGE / "runtime"
IGNORED = shutil.ignore_patterns("__pycache__", "node_modules", ".mypy_cache", ".pytest_cache")


def _levels_up_from_file(node: ast.AST) -> int | None:
    """How many folders ``Path(__file__)[.resolve()].parent...`` / ``.parents[n]`` climbs; ``None``
    for an expression that does not start at ``Path(__file__)``."""
    levels = 0
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            levels, node = levels + 1, node.value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
        ):
            levels, node = levels + node.slice.value + 1, node.value.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "resolve":
            node = node.func.value
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Path" and node.args:
            return levels if getattr(node.args[0], "id", "") == "__file__" else None
        else:
            return None


def test_no_module_finds_files_outside_the_package() -> None:
    climbing = []
    for path in sorted(p for p in PACKAGE.rglob("*.py") if "node_modules" not in p.parts):
        allowed = len(path.relative_to(PACKAGE).parts)  # silolake/ops/x.py: .parent.parent is silolake/
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            levels = _levels_up_from_file(node)
            if levels is not None and levels > allowed:
                climbing.append(f"{path.relative_to(REPO)}:{node.lineno}: climbs {levels} folders from its file")
    assert climbing == [], "read package files through silolake.runtime.runtime_path, user files beside the catalog"
    # the scan itself sees what it must refuse
    assert _levels_up_from_file(ast.parse("Path(__file__).resolve().parents[3]", mode="eval").body) == 4
    assert _levels_up_from_file(ast.parse("Path(__file__).parent.parent", mode="eval").body) == 2


def test_runtime_path_stays_in_the_package() -> None:
    assert runtime_path("lambda", "landing") == RUNTIME / "lambda" / "landing"
    assert runtime_path() == RUNTIME
    for bad in ("..", "/etc", "lambda/../../cli.py", ""):
        with pytest.raises(ValueError):
            runtime_path(bad)


def _source_assets() -> list[str]:
    return sorted(
        p.relative_to(REPO).as_posix()
        for p in RUNTIME.rglob("*")
        if p.is_file() and not {"__pycache__", ".mypy_cache", ".pytest_cache"} & set(p.parts)
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built (``pip wheel``, as a company builds it) from a clean copy of the sources,
    with a stale bytecode file planted in a runtime folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(PACKAGE, src / "silolake", ignore=IGNORED)
    stale = src / "silolake" / "runtime" / "lambda" / "landing" / "__pycache__" / "handler.cpython-311.pyc"
    stale.parent.mkdir()
    stale.write_bytes(b"stale")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"), str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    (built,) = (tmp / "dist").glob("silolake-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_every_runtime_asset_and_no_bytecode(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [a for a in _source_assets() if a not in names] == []
    assert [n for n in names if n.endswith((".pyc", ".pyo")) or "__pycache__" in n] == []
    for kind in ("lambda/landing/handler.py", "lambda/partner/handler.py", "glue/conform/job.py", "pages/index.html"):
        assert f"silolake/runtime/{kind}" in names
    assert {"silolake/runtime/buildspec/silo-plan.yml", "silolake/runtime/buildspec/silo-apply.yml"} <= names


@pytest.mark.slow
def test_installed_from_the_wheel_the_framework_finds_its_assets(wheel: Path, tmp_path: Path) -> None:
    """The wheel unpacked as an installer lays it out (a directory on ``sys.path``, no
    repository around it): the assets are found inside it, with the same content."""
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from silolake.runtime import runtime_path\n"
        "from silolake import partner_runtime\n"
        "from silolake.constructs.etl import artifacts\n"
        "print(runtime_path('lambda', 'landing'))\n"
        "print(partner_runtime.PAGES)\n"
        "print(artifacts.framework_bundle().digest)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{probe}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    landing, pages, digest = proc.stdout.split()
    assert Path(landing) == site / "silolake" / "runtime" / "lambda" / "landing"
    assert Path(pages) == site / "silolake" / "runtime" / "pages"
    from silolake.constructs.etl import artifacts

    assert digest == artifacts.framework_bundle().digest  # same job code, same content-addressed keys
