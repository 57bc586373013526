"""Read a YAML file into plain Python data plus a map of where every node sits.

PyYAML's C-accelerated composer gives us node marks cheaply (validation of a
1,000-silo catalog must stay well under a second), so we compose the node tree once,
construct plain data from it, and index each node's line/column by key path.
Duplicate mapping keys, which YAML parsers silently collapse, are reported here
because a duplicated ``flows:`` key would otherwise drop half a silo without a word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from .errors import CatalogError, Path, Problem, format_path

try:  # libyaml is bundled with the PyYAML wheels; fall back for exotic platforms.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader  # type: ignore[misc]


@dataclass
class SourceDoc:
    """Parsed YAML data with positions, able to locate any key path."""

    file: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, at_key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of ``path``; falls back to the nearest existing parent."""
        probe = tuple(path)
        while True:
            if at_key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def problem(self, path: Path, message: str, *, at_key: bool = False) -> Problem:
        line, col = self.locate(path, at_key=at_key)
        return Problem(self.file, line, col, format_path(path), message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _index(node: yaml.Node, path: Path, doc: SourceDoc, problems: list[Problem]) -> None:
    doc.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            child = path + (key,)
            if key in seen:
                line, col = _mark(key_node)
                problems.append(Problem(doc.file, line, col, format_path(child),
                                        f"duplicate key '{key}' (first defined on line {seen[key][0]}); "
                                        "YAML keeps only the last one, so merge the two entries"))
            seen[key] = _mark(key_node)
            doc.keys[child] = _mark(key_node)
            _index(value_node, child, doc, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), doc, problems)


def parse_yaml(text: str, file: str) -> SourceDoc:
    """Parse ``text``; raise :class:`CatalogError` (never a yaml exception) on bad YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CatalogError([Problem(file, 1, 1, "(document)",
                                        "the catalog is empty; start from the example silos.yaml in the repository")])
        doc = SourceDoc(file=file, data=loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise CatalogError([Problem(file, line, col, "(document)", f"YAML syntax error: {reason}")]) from None
    except yaml.YAMLError as exc:  # e.g. reader errors on binary content
        raise CatalogError([Problem(file, 1, 1, "(document)", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    problems: list[Problem] = []
    _index(node, (), doc, problems)
    if problems:
        raise CatalogError(problems)
    return doc


def read_yaml(path: FsPath | str, *, display_name: str | None = None) -> SourceDoc:
    """Read and parse a YAML file, turning I/O and encoding failures into located problems."""
    path = FsPath(path)
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([Problem(name, 1, 1, "(document)", "file not found")]) from None
    except IsADirectoryError:
        raise CatalogError([Problem(name, 1, 1, "(document)", "is a directory, expected a YAML file")]) from None
    except UnicodeDecodeError as exc:
        raise CatalogError([Problem(name, 1, 1, "(document)", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise CatalogError([Problem(name, 1, 1, "(document)", f"cannot read file: {exc.strerror}")]) from None
    return parse_yaml(text, name)
