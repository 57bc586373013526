"""``silolake diagram``: the lake as a picture, from the catalog alone (no synth).

Drawn: the organization and its management account, the DataLake > Silos / Analytics OUs,
the datalake account, every silo account with its flows (pending accounts dashed,
decommissioned ones greyed), the channels data arrives by (HTTPS API, SFTP, web upload:
each channel's ``label`` in :mod:`silolake.channels`),
and who may read what: one edge per analytics consumer and silo it is entitled to
(processed data only; decommissioned silos share nothing).

Two renderings of one :class:`Graph`: Mermaid (PR comments, README; GitHub renders it) and
SVG through Graphviz ``dot`` (Debian package ``graphviz``; no network). ``highlight``
names stacks to outline, e.g. the stacks a pull request affects.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..catalog.model import Catalog, Silo
from ..channels import channel
from ..errors import UsageError

__all__ = ["DiagramError", "Graph", "build", "to_dot", "to_mermaid", "to_svg"]


class DiagramError(UsageError, RuntimeError):
    """SVG requested but Graphviz ``dot`` is not installed."""


@dataclass
class Group:
    id: str
    label: str
    children: list[str] = field(default_factory=list)  # node ids
    groups: list[Group] = field(default_factory=list)
    style: str = ""  # "" | pending | retired | changed


@dataclass
class Graph:
    root: Group
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, shape: box|db|channel)
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (from, to, label, dashed)
    highlighted: set[str] = field(default_factory=set)  # node or group ids


def _id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def _silo_group(graph: Graph, silo: Silo) -> Group:
    account = silo.account_id or "account to be created"
    state = " · decommissioned" if silo.decommission else ""
    style = "retired" if silo.decommission else ("pending" if not silo.account_id else "")
    group = Group(_id("silo", silo.name), f"silo {silo.name} · {account} · {silo.region}{state}", style=style)
    for flow in silo.flows:
        node = _id("flow", silo.name, flow.name)
        graph.nodes[node] = (f"{flow.name} ({flow.format})", "db")
        group.children.append(node)
        graph.edges.append((_id("channel", flow.source), node, "", False))
    return group


def build(catalog: Catalog, highlight: Iterable[str] = ()) -> Graph:
    """The picture of ``catalog``; ``highlight``: stack names to outline."""
    org = catalog.organization
    root = Group("org", f"Organization {org.name} · management {org.management_account_id}")
    graph = Graph(root)
    dl = Group("ou_datalake", f"OU {org.ous.datalake}")
    silos = Group("ou_silos", f"OU {org.ous.silos}")
    analytics = Group("ou_analytics", f"OU {org.ous.analytics}")
    root.groups.append(dl)
    dl.groups += [silos, analytics]
    graph.nodes["datalake"] = (f"datalake · {catalog.datalake.account_id}<br/>artifacts bucket", "box")
    dl.children.append("datalake")
    used = sorted({f.source for s in catalog.silos for f in s.flows})
    for source in used:
        graph.nodes[_id("channel", source)] = (channel(source).label, "channel")
    stack_ids = {"org": "org", "datalake": "datalake"}
    for silo in catalog.silos:
        group = _silo_group(graph, silo)
        silos.groups.append(group)
        stack_ids[silo.stack_name] = group.id
    for consumer in catalog.analytics:
        node = _id("analytics", consumer.name)
        roles = ", ".join(consumer.reader_roles)
        graph.nodes[node] = (f"analytics {consumer.name} · {consumer.account_id}<br/>readers: {roles}", "box")
        analytics.children.append(node)
        stack_ids[consumer.stack_name] = node
        for silo in catalog.silos:
            if consumer.reads(silo) and silo.account_id:
                target = _id("silo", silo.name)
                graph.edges.append((node, target, "reads processed", True))
    graph.highlighted = {stack_ids[name] for name in highlight if name in stack_ids}
    return graph


def _mermaid_group(graph: Graph, group: Group, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    out.append(f'{pad}subgraph {group.id}["{group.label}"]')
    for child in group.children:
        label, shape = graph.nodes[child]
        out.append(f'{pad}  {child}[("{label}")]' if shape == "db" else f'{pad}  {child}["{label}"]')
    for sub in group.groups:
        _mermaid_group(graph, sub, depth + 1, out)
    out.append(f"{pad}end")


def _groups(group: Group) -> Iterable[Group]:
    yield group
    for sub in group.groups:
        yield from _groups(sub)


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart`` (GitHub renders it in Markdown inside a ```mermaid fence)."""
    out = ["flowchart LR"]
    for node, (label, shape) in graph.nodes.items():
        if shape == "channel":
            out.append(f'  {node}{{{{"{label}"}}}}')
    _mermaid_group(graph, graph.root, 1, out)
    for src, dst, label, dashed in graph.edges:
        arrow = f'-. "{label}" .->' if dashed and label else ("-.->" if dashed else "-->")
        out.append(f"  {src} {arrow} {dst}")
    styles = {"pending": "stroke-dasharray: 5 5", "retired": "fill:#eee,color:#888"}
    for group in _groups(graph.root):
        if group.style:
            out.append(f"  style {group.id} {styles[group.style]}")
    for item in sorted(graph.highlighted):
        out.append(f"  style {item} stroke:#d62728,stroke-width:3px")
    return "\n".join(out) + "\n"


def _dot_group(graph: Graph, group: Group, out: list[str], depth: int) -> None:
    pad = "  " * depth
    out.append(f"{pad}subgraph cluster_{group.id} {{")
    label = group.label.replace('"', "'")
    attrs = [f'label="{label}"']
    if group.style == "pending":
        attrs.append('style="dashed"')
    if group.style == "retired":
        attrs += ['style="filled"', 'fillcolor="#eeeeee"', 'fontcolor="#888888"']
    if group.id in graph.highlighted:
        attrs += ['color="#d62728"', "penwidth=3"]
    out.append(f"{pad}  {'; '.join(attrs)};")
    for child in group.children:
        text, shape = graph.nodes[child]
        extra = ', color="#d62728", penwidth=3' if child in graph.highlighted else ""
        dot_shape = "cylinder" if shape == "db" else "box"
        out.append(f'{pad}  {child} [label="{text.replace("<br/>", chr(92) + "n")}", shape={dot_shape}{extra}];')
    for sub in group.groups:
        _dot_group(graph, sub, out, depth + 1)
    out.append(f"{pad}}}")


def to_dot(graph: Graph) -> str:
    out = ["digraph silolake {", "  rankdir=LR; compound=true; fontname=Helvetica;", "  node [fontname=Helvetica];"]
    for node, (label, shape) in graph.nodes.items():
        if shape == "channel":
            out.append(f'  {node} [label="{label}", shape=hexagon];')
    _dot_group(graph, graph.root, out, 1)
    for src, dst, label, dashed in graph.edges:
        if dst.startswith("silo_"):
            # An edge to a cluster: point at its first node, clipped at the cluster border.
            first = next(g for g in _groups(graph.root) if g.id == dst)
            anchor = first.children[0] if first.children else dst
            out.append(f'  {src} -> {anchor} [lhead=cluster_{dst}, label="{label}", style=dashed];')
        else:
            out.append(f'  {src} -> {dst} [label="{label}"{", style=dashed" if dashed else ""}];')
    out.append("}")
    return "\n".join(out) + "\n"


def to_svg(graph: Graph) -> str:
    """SVG rendered by Graphviz ``dot`` (local, no network). Raises :class:`DiagramError` without it."""
    dot = shutil.which("dot")
    if dot is None:
        raise DiagramError("Graphviz `dot` is not installed (Debian: apt-get install graphviz)")
    proc = subprocess.run([dot, "-Tsvg"], input=to_dot(graph), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DiagramError(f"dot failed: {proc.stderr.strip()}")
    return proc.stdout
