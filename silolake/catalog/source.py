"""Read a YAML file into plain Python data plus a map of where every node sits.

PyYAML's C-accelerated composer gives us node marks cheaply (validation of a
1,000-silo catalog must stay under a second), so we compose the node tree once and, in
a single walk over it, build the plain data and index each node's line/column by key path.
Duplicate mapping keys, which YAML parsers silently collapse, are reported here
because a duplicated ``flows:`` key would otherwise drop half a silo without a word.
"""

from __future__ import annotations

import codecs
import gc
import stat
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from .errors import CatalogError, Path, Problem, format_path

try:  # libyaml is bundled with the PyYAML wheels; fall back for exotic platforms.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


#: Most nodes a document may expand to through aliases. A 1,000-silo catalog has ~100k
#: nodes; a few nested aliases ("billion laughs") would otherwise hang every later check.
MAX_NODES = 1_000_000
#: Largest catalog file read. A 1,000-silo catalog is about 1 MiB; a file far larger is a
#: mistake (a generated dump, the wrong file) and parsing it would cost memory first.
MAX_BYTES = 8 * 1024 * 1024
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def as_dict(value: Any) -> dict:
    """``value`` if it is a mapping, else ``{}``: reading data that may not validate (a base
    revision, a catalog with problems) without guessing what a malformed entry meant."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """``value`` if it is a list, else ``[]`` (as :func:`as_dict`)."""
    return value if isinstance(value, list) else []


@dataclass
class SourceDoc:
    """Parsed YAML data with positions, able to locate any key path."""

    file: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    #: Source text of scalars YAML read as integers, so a message can quote what the
    #: user wrote (an unquoted ``012345670123`` is octal to YAML, not that account id).
    int_text: dict[Path, str] = field(default_factory=dict)
    #: Problems that do not stop the reading (duplicate keys), reported with the others.
    problems: list[Problem] = field(default_factory=list)

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


class _Builder:
    """Walks the node tree once: builds the data, indexes positions by key path, reports
    duplicate keys and alias abuse.

    Plain mappings, sequences and strings -- nearly every node of a catalog -- are built
    here directly, which is several times faster than PyYAML's generic constructor;
    anything else (ints, booleans, dates, explicit tags, ``<<`` merges) is handed to the
    safe constructor, so the data is what ``yaml.safe_load`` would return.
    """

    def __init__(self, doc: SourceDoc, loader: Any):
        self.doc = doc
        self.loader = loader
        self.problems: list[Problem] = []
        self.active: set[int] = set()  # ids of the mapping/sequence nodes being walked
        self.count = 0

    def scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        try:
            return self.loader.construct_object(node)
        except (ValueError, OverflowError) as exc:  # e.g. 2024-13-01 resolves as a date, then fails
            line, col = _mark(node)
            raise CatalogError(
                [
                    Problem(
                        self.doc.file,
                        line,
                        col,
                        format_path(path),
                        f"YAML reads {node.value!r} as a {node.tag.rsplit(':', 1)[-1]} but it is "
                        f"not a valid one ({exc}); quote it if it is meant as text",
                    )
                ]
            ) from None

    def walk(self, node: yaml.Node, path: Path) -> Any:
        doc = self.doc
        self.count += 1
        if self.count > MAX_NODES:
            raise CatalogError(
                [
                    doc.problem(
                        path[:1],
                        f"the document expands to more than {MAX_NODES:,} nodes "
                        "through YAML aliases; write the catalog out instead",
                    )
                ]
            )
        doc.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:
                return node.value
            if node.tag == _INT_TAG:
                doc.int_text[path] = node.value
            return self.scalar(node, path)
        if id(node) in self.active:
            line, col = _mark(node)
            raise CatalogError(
                [
                    Problem(
                        doc.file,
                        line,
                        col,
                        format_path(path),
                        "recursive YAML alias: this node contains itself; a catalog must be a finite tree",
                    )
                ]
            )
        self.active.add(id(node))
        if isinstance(node, yaml.MappingNode):
            data: Any = self.mapping(node, path)
        else:
            data = [self.walk(item, path + (i,)) for i, item in enumerate(node.value)]
            if node.tag != _SEQ_TAG:  # e.g. !!omap, !!pairs
                data = self.loader.construct_object(node, deep=True)
        self.active.discard(id(node))
        return data

    def mapping(self, node: yaml.MappingNode, path: Path) -> Any:
        doc = self.doc
        data: dict[Any, Any] = {}
        seen: dict[Any, tuple[int, int]] = {}
        merges = False
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *base` may legitimately be overridden
                merges = True
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise CatalogError(
                    [
                        Problem(
                            doc.file,
                            line,
                            col,
                            "(document)",
                            "YAML syntax error: found unhashable key (while constructing a "
                            f"mapping started on line {_mark(node)[0]})",
                        )
                    ]
                )
            key = key_node.value if key_node.tag == _STR_TAG else self.scalar(key_node, path)
            child = path + (key,)
            if key in seen:
                line, col = _mark(key_node)
                self.problems.append(
                    Problem(
                        doc.file,
                        line,
                        col,
                        format_path(child),
                        f"duplicate key '{key}' (first defined on line {seen[key][0]}); "
                        "YAML keeps only the last one, so merge the two entries",
                    )
                )
            seen[key] = doc.keys[child] = _mark(key_node)
            data[key] = self.walk(value_node, child)
        if merges or node.tag != _MAP_TAG:  # merge semantics and e.g. !!set: the constructor's
            return self.loader.construct_object(node, deep=True)
        return data


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """One-line, located message for characters YAML refuses (NUL, other controls)."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Problem(
        file,
        line,
        col,
        "(document)",
        f"character {char!r} (#x{ord(char):04x}) is not allowed in YAML; is this a text file?",
    )


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, mark: Any) -> str:
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        return "YAML syntax error: a tab character; YAML indentation must use spaces"
    if exc.problem and "another document" in exc.problem:
        return "YAML syntax error: the catalog must be a single YAML document; remove the extra '---'"
    reason = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context and exc.context_mark:
        reason += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    return f"YAML syntax error: {reason}"


def parse_yaml(text: str, file: str, *, strict: bool = True) -> SourceDoc:
    """Parse ``text``; raise :class:`CatalogError` (never a yaml exception) on bad YAML.

    Duplicate keys raise too, unless ``strict`` is false: then the document (with YAML's
    last-one-wins data) is returned with them in ``doc.problems``, so validation can
    report them together with every other problem of the catalog.
    """
    loader = _Loader(text)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # building ~100k acyclic objects: cyclic GC passes would only cost time
    try:
        node = loader.get_single_node()
        if node is None:
            raise CatalogError(
                [
                    Problem(
                        file,
                        1,
                        1,
                        "(document)",
                        "the catalog is empty; start from the example silos.yaml in the repository",
                    )
                ]
            )
        doc = SourceDoc(file=file, data=None)
        builder = _Builder(doc, loader)
        doc.data = builder.walk(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise CatalogError([Problem(file, line, col, "(document)", _syntax_message(exc, text, mark))]) from None
    except yaml.reader.ReaderError as exc:
        raise CatalogError([_reader_problem(exc, text, file)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - any other parser failure, kept on one line
        raise CatalogError([Problem(file, 1, 1, "(document)", "YAML error: " + " ".join(str(exc).split()))]) from None
    except RecursionError:
        raise CatalogError([Problem(file, 1, 1, "(document)", "the document is nested too deeply")]) from None
    finally:
        loader.dispose()
        if gc_was_enabled:
            gc.enable()
    if builder.problems and strict:
        raise CatalogError(builder.problems)
    doc.problems = builder.problems
    return doc


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column in characters) of byte ``offset``, as YAML marks count them."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", errors="replace")) + 1


def _read_bytes(path: FsPath, name: str, max_bytes: int) -> bytes:
    def fail(message: str, line: int = 1, col: int = 1) -> CatalogError:
        return CatalogError([Problem(name, line, col, "(document)", message)])

    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise fail("is a directory, expected a YAML file")
        if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
            raise fail("is not a regular file, expected a YAML file")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:  # permission denied, I/O error, ...
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        line, col = _position(data, max_bytes)
        raise fail(
            f"the file is larger than {max_bytes:,} bytes, the most a catalog may be (1,000 silos take about "
            "1 MiB); this is where the limit is reached. Is it the right file?",
            line,
            col,
        )
    return data


def read_yaml(
    path: FsPath | str, *, display_name: str | None = None, strict: bool = True, max_bytes: int = MAX_BYTES
) -> SourceDoc:
    """Read and parse a YAML file, turning I/O, size and encoding failures into located
    problems (``file:line:col``). ``strict``: see :func:`parse_yaml`."""
    path = FsPath(path)
    name = display_name or str(path)
    data = _read_bytes(path, name, max_bytes)
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0  # tolerate a byte-order mark
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line, col = _position(data, offset)
        message = f"not UTF-8 text: byte 0x{data[offset]:02x} ({exc.reason}); save the file as UTF-8"
        raise CatalogError([Problem(name, line, col, "(document)", message)]) from None
    return parse_yaml(text, name, strict=strict)
