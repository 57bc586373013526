"""The framework's import graph, read statically, and its strongly connected components.

``python -m tests.import_graph`` prints the numbers (modules, edges, cycles) at module, package
and room level; ``tests/test_layout.py`` fails on any cycle.

Rules:

- a node is a module of ``silolake`` (``silolake/runtime/`` excluded: its folders are deployed
  with their own import roots and never import the framework, see ``tests/test_layout.py``);
- ``import a.b`` is an edge to ``a.b``; ``from X import a`` is an edge to ``X.a`` when that is a
  module, else to ``X`` (relative imports resolved);
- every import counts, including those inside functions (a lazy import still ties the two
  modules together: it only hides the circle from start-up) and those under ``TYPE_CHECKING``
  (mypy follows them, and a type-only circle is still two modules that cannot be understood,
  moved or tested apart);
- the implicit import of a parent package (``silolake.ops.x`` runs ``silolake/ops/__init__``)
  is not an edge: a package's ``__init__`` that imported its own modules would otherwise be a
  circle by construction. Explicit imports of the package are edges like any other.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "silolake"
EXCLUDED = ("runtime", "node_modules", "__pycache__")

Graph = dict[str, set[str]]


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """``{dotted module name: file}`` of every framework module under ``root``."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        if any(part in EXCLUDED for part in rel.parts[1:-1]):
            continue
        parts = rel.with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> Iterable[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            yield sub if sub in modules else base


def build(files: dict[str, Path] | None = None) -> Graph:
    """``{module: modules it imports}`` among ``files`` (imports of other modules dropped)."""
    files = files if files is not None else module_files()
    modules = set(files)
    graph: Graph = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package, modules):
                # "import silolake.accounts.bootstrap" names the module; a name inside a module
                # ("from .names import X" where X is not a module) resolved to the module above.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def collapse(graph: Graph, group: Callable[[str], str]) -> Graph:
    """The graph between groups of modules (``group(module)``), self-edges dropped."""
    out: Graph = {}
    for name, targets in graph.items():
        out.setdefault(group(name), set())
        for target in targets:
            if group(target) != group(name):
                out[group(name)].add(group(target))
            out.setdefault(group(target), set())
    return out


def package_of(files: dict[str, Path]) -> Callable[[str], str]:
    """A module's package: itself for a package ``__init__``, else its parent; a module at the
    top of ``silolake`` (``silolake.aws.names``) is its own node, as each is a subject of its own
    (grouping them as ``silolake`` would make one node of everything they sit between)."""

    def group(name: str) -> str:
        if files[name].name == "__init__.py":
            return name
        parent = name.rpartition(".")[0]
        return name if parent == PACKAGE.name else parent

    return group


def room(name: str) -> str:
    """A module's room: ``silolake.<first part>`` (``silolake.ops.iam.engine`` -> ``silolake.ops``)."""
    return ".".join(name.split(".")[:2])


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def levels() -> dict[str, Graph]:
    """The graph at module, package and room level."""
    files = module_files()
    graph = build(files)
    return {"module": graph, "package": collapse(graph, package_of(files)), "room": collapse(graph, room)}


if __name__ == "__main__":
    for level, g in levels().items():
        found = cycles(g)
        print(
            f"{level:<8} {len(g):>4} nodes {sum(map(len, g.values())):>5} edges "
            f"{len(found)} cycle(s) {sum(map(len, found))} node(s) in cycles"
        )
        for component in found:
            print("   ", " <-> ".join(component))
