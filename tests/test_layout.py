"""The layout rules that keep data flowing one way (catalog -> model -> stacks -> constructs -> JSON).

Checked statically (by parsing imports), so a violation is reported with the file and
line that introduced it, before it can be copied by the next module:

- only ``silolake/engine/cdk.py`` imports the CDKTF engine or the provider bindings;
- the catalog, the policy builders and what the lake watches (``silolake/health``) never
  import cdktf, constructs, stacks or synth; ``silolake/health`` imports no policy either;
- the foundation rooms every other room may import (``silolake.channels``, the ingestion
  channel registry) import no other room and nothing outside the standard library;
- constructs never import stacks or the tool rooms; the tool rooms (``review``, ``release``,
  ``accounts``, ``dev``, ``ops``) never import the engine, constructs or stacks;
- runtime code (``silolake/runtime/``: Lambda functions, Glue jobs; and ``glue_src/``) never
  imports the framework, and the runtime's folders are not framework packages (the
  framework reads them through :func:`silolake.runtime.runtime_path`;
  ``tests/packaging/test_wheel_assets.py`` checks that they ship);
- every capability package declares its public constructs in ``__all__``;
- every Lambda function folder is deployed by exactly one construct (a module-level
  ``SOURCE = LAMBDA_SRC / "<function>"``) and has tests in ``tests/runtime/<function>/``;
- the import graph has no cycle at all, between modules, packages or rooms
  (strongly connected components, :mod:`tests.import_graph`), rather than a list of
  forbidden edges that a new circle can go around.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from tests import import_graph

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "silolake"
ENGINE_MODULES = ("cdktf", "cdktn", "cdktf_cdktf_provider_aws", "cdktn_provider_aws", "constructs", "jsii")
RUNTIME = PACKAGE / "runtime"
LAMBDA = RUNTIME / "lambda"
RUNTIME_DIRS = ("silolake/runtime", "glue_src")
#: Rooms of tools that run beside synth, never inside it: they read the catalog and synthesized
#: output, so they never import the engine, constructs or stacks.
TOOL_ROOMS = ("silolake.ops", "silolake.review", "silolake.release", "silolake.accounts", "silolake.dev")
CAPABILITIES = ("storage", "ingestion", "analytics", "org", "delivery", "etl")
#: Rooms every other room may import (the catalog, policy builders, constructs, stacks and
#: tools all ask ``silolake.channels`` about a flow's channel): they import no other room and
#: no third-party module, so they can never close a cycle or drag a dependency along.
FOUNDATION_ROOMS = ("silolake.channels",)


def _module_name(path: Path, root: Path = REPO) -> str:
    """Dotted name of ``path``; a Lambda function's or Glue job's file is named from its own
    folder, the import root it is deployed with (``silolake/runtime/lambda/landing/landing/x.py``
    is ``landing.x``). ``root``: the folder holding the ``silolake`` package."""
    if path.is_relative_to(RUNTIME) and len(path.relative_to(RUNTIME).parts) > 2:
        root = RUNTIME.joinpath(*path.relative_to(RUNTIME).parts[:2])
    rel = path.relative_to(root).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path, root: Path = REPO) -> list[tuple[int, str]]:
    """``(line, absolute module)`` of every import in ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # "from silolake import stacks" imports the module silolake.stacks
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _violations(files: list[Path], forbidden: tuple[str, ...], root: Path = REPO) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line}: imports {name}"
        for path in files
        for line, name in _imports(path, root)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def _py(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (REPO / d).rglob("*.py") if "node_modules" not in p.parts)


def test_only_the_cdk_module_imports_the_engine() -> None:
    files = [p for p in _py("silolake") if p != PACKAGE / "engine" / "cdk.py"]
    assert _violations(files, ENGINE_MODULES) == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("silolake/catalog", ("silolake.engine.cdk", "silolake.constructs", "silolake.stacks", "silolake.synth")),
        ("silolake/policy", ("silolake.engine.cdk", "silolake.constructs", "silolake.stacks", "silolake.synth")),
        # What the lake watches is plain data too, and policies may read it: never the other way.
        (
            "silolake/health",
            ("silolake.engine.cdk", "silolake.constructs", "silolake.stacks", "silolake.synth", "silolake.policy"),
        ),
        ("silolake/constructs", ("silolake.stacks", "silolake.synth", *TOOL_ROOMS, "silolake.cli")),
        *(
            (room.replace(".", "/"), ("silolake.engine.cdk", "silolake.constructs", "silolake.stacks"))
            for room in TOOL_ROOMS
        ),
    ],
)
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert _violations(_py(package), forbidden) == []


@pytest.mark.parametrize("room", FOUNDATION_ROOMS)
def test_foundation_rooms_import_only_the_standard_library(room: str) -> None:
    graph = import_graph.levels()["room"]
    assert room in graph, f"{room} is not a room of the import graph"
    assert graph[room] == set(), f"{room} imports other rooms: {sorted(graph[room])}"
    own = room.replace(".", "/")
    outside = [
        f"{path.relative_to(REPO)}:{line}: imports {name}"
        for path in _py(own)
        for line, name in _imports(path)
        if not name.startswith(room) and name.split(".")[0] not in {*sys.stdlib_module_names, "__future__"}
    ]
    assert outside == []


def test_runtime_code_never_imports_the_framework() -> None:
    assert _violations(_py(*RUNTIME_DIRS), ("silolake", *ENGINE_MODULES)) == []


def test_runtime_code_cites_tests_that_exist() -> None:
    """Deployed code restates what the framework defines and names the test proving the two
    agree (``tests/policy/test_dropzone_layout.py``): each test it names exists, so a moved test
    leaves no comment pointing nowhere inside a Lambda zip."""
    cited = re.compile(r"tests/[\w/]+\.py")
    files = [p for p in RUNTIME.rglob("*") if p.suffix in {".py", ".md"} and "node_modules" not in p.parts]
    missing = [
        f"{path.relative_to(REPO)}: {ref}"
        for path in files
        for ref in cited.findall(path.read_text(encoding="utf-8"))
        if not (REPO / ref).is_file()
    ]
    assert files and missing == []


def test_runtime_folders_are_not_framework_packages() -> None:
    """Only ``silolake/runtime/__init__.py`` (the :func:`runtime_path` module) is a package file
    at the runtime's top: its folders are deployed with their own import roots, never imported
    as ``silolake.runtime.<kind>``, and ship as package data."""
    kinds = sorted(p.name for p in RUNTIME.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert kinds == ["buildspec", "glue", "lambda", "pages"]
    stray = sorted(str(p.relative_to(REPO)) for kind in kinds for p in [RUNTIME / kind / "__init__.py"] if p.exists())
    assert stray == []
    functions = [LAMBDA / name for name in _function_folders()] + [RUNTIME / "glue" / "conform"]
    assert [str(f.relative_to(REPO)) for f in functions if (f / "__init__.py").exists()] == []


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_capability_packages_export_their_constructs(capability: str) -> None:
    init = PACKAGE / "constructs" / capability / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    exported = next(
        (ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"),
        None,
    )
    assert exported, f"{init.relative_to(REPO)} has no __all__"
    imported = {alias.asname or alias.name for n in tree.body if isinstance(n, ast.ImportFrom) for alias in n.names}
    assert set(exported) <= imported, f"__all__ names what the package does not import: {set(exported) - imported}"


def _deployed_sources() -> dict[str, list[str]]:
    """``{function folder: [construct modules declaring SOURCE = LAMBDA_SRC / "<folder>"]}``."""
    found: dict[str, list[str]] = {}
    for path in _py("silolake/constructs"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (
                isinstance(node, ast.Assign) and any(getattr(t, "id", "").endswith("SOURCE") for t in node.targets)
            ):
                continue
            value = node.value
            if (
                isinstance(value, ast.BinOp)
                and getattr(value.left, "id", "") == "LAMBDA_SRC"
                and isinstance(value.right, ast.Constant)
            ):
                found.setdefault(value.right.value, []).append(str(path.relative_to(REPO)))
    return found


def _function_folders() -> list[str]:
    return sorted(p.name for p in LAMBDA.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


#: Function folders whose runtime landed before the construct that deploys them, with the
#: reason. Remove the entry in the change that adds the construct (the test then requires it).
NOT_YET_DEPLOYED: dict[str, str] = {}


def test_every_function_folder_is_deployed_once_and_tested() -> None:
    deployed = _deployed_sources()
    for name in _function_folders():
        folder = LAMBDA / name
        shown = folder.relative_to(REPO)
        assert (folder / "handler.py").is_file(), f"{shown}/ has no handler.py (keep handlers thin there)"
        expected = 0 if name in NOT_YET_DEPLOYED else 1
        assert len(deployed.get(name, [])) == expected, f"{shown}/ is deployed by {deployed.get(name, [])}"
        tests = REPO / "tests" / "runtime" / name
        assert any(tests.glob("test_*.py")), f"{shown}/ has no tests in tests/runtime/{name}/"
    stale = sorted(set(deployed) - set(_function_folders()))
    assert stale == [], f"constructs deploy missing function folders: {stale}"


def test_the_layout_checks_see_violations(tmp_path: Path) -> None:
    """The import scan itself works (a rule that cannot fail proves nothing). The probe is a copy
    of the package's shape under ``tmp_path``: the checkout is never written to."""
    bad = tmp_path / "silolake" / "policy" / "_layout_probe.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from ..cdk import aws\nimport cdktf\n")
    assert _violations([bad], ("silolake.cdk",), tmp_path) == [
        "silolake/policy/_layout_probe.py:1: imports silolake.cdk",
        "silolake/policy/_layout_probe.py:1: imports silolake.cdk.aws",
    ]
    assert _violations([bad], ENGINE_MODULES, tmp_path) == ["silolake/policy/_layout_probe.py:2: imports cdktf"]


@pytest.mark.parametrize("level", ["module", "package", "room"])
def test_the_import_graph_has_no_cycle(level: str) -> None:
    """No strongly connected component of more than one node: imports point one way, so any
    module, package or room can be read, moved and tested with only what it imports."""
    graph = import_graph.levels()[level]
    assert len(graph) > 10, "the scan found no modules"
    assert import_graph.cycles(graph) == []


def test_the_cycle_check_sees_cycles(tmp_path: Path) -> None:
    """A two-module circle (one side a lazy import, the other ``from pkg import module``), a
    package-level circle without a module-level one, and the tree they are found in."""
    pkg = tmp_path / "silolake"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "runtime").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from silolake import a\n")
    (pkg / "c.py").write_text("from .sub.y import z\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "x.py").write_text("from ..c import NAME\n")
    (pkg / "sub" / "y.py").write_text("z = 1\n")
    (pkg / "runtime" / "handler.py").write_text("import silolake.a\n")
    files = import_graph.module_files(pkg)
    assert sorted(files) == [
        "silolake",
        "silolake.a",
        "silolake.b",
        "silolake.c",
        "silolake.sub",
        "silolake.sub.x",
        "silolake.sub.y",
    ]
    graph = import_graph.build(files)
    assert graph["silolake.b"] == {"silolake.a"} and graph["silolake.sub.x"] == {"silolake.c"}
    assert import_graph.cycles(graph) == [["silolake.a", "silolake.b"]]
    packages = import_graph.collapse(graph, import_graph.package_of(files))
    assert ["silolake.c", "silolake.sub"] in import_graph.cycles(packages)
