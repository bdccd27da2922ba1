"""The NetworkX graph itself: node-link JSON (``graph.json``) and GraphML for Gephi.

Strings go through :func:`kgraph.ingest.replace_unsafe` on the way out: a lone surrogate cannot be
written as UTF-8 and XML 1.0 has no way to carry a control character, whatever escaping is used.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx

from ..ingest import replace_unsafe
from .atomic import atomic_file, atomic_write

__all__ = ["write_node_link", "write_graphml"]


def write_node_link(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """``nx.node_link_data(graph, edges="edges")`` as JSON (sorted keys, indent 1), written node by node and
    edge by edge: the same bytes as dumping it whole, without a second copy of the graph in memory."""
    with atomic_file(path) as handle:
        write = handle.write
        write(f'{{\n "directed": {_dump(graph.is_directed(), 1)},\n "edges": '.encode())
        _write_list(write, ({**data, "source": u, "target": v, "key": k}
                            for u, v, k, data in graph.edges(keys=True, data=True)))
        write(f',\n "graph": {_dump(graph.graph, 1)},\n "multigraph": {_dump(graph.is_multigraph(), 1)},\n '
              f'"nodes": '.encode())
        _write_list(write, ({**graph.nodes[n], "id": n} for n in graph))
        write(b"\n}\n")
    return Path(path)


def _dump(value, level: int) -> str:
    """``value`` as ``json.dumps(..., indent=1)`` writes it ``level`` deep in an enclosing document."""
    text = json.dumps(_printable(value), ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("\n", "\n" + " " * level)  # JSON strings hold no raw newline: only the layout's


def _write_list(write, items) -> None:
    first = True
    for item in items:
        write(((b"[\n  " if first else b",\n  ") + _dump(item, 2).encode("utf-8")))
        first = False
    write(b"[]" if first else b"\n ]")


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """GraphML holds only scalars: lists and records are written as JSON strings."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(_printable(node), **_scalars(data))
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(_printable(u), _printable(v), key=_printable(key), **_scalars(data))
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
    return atomic_write(path, buffer.getvalue())


def _scalars(data: dict) -> dict:
    return {k: _printable(v if isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False,
                                                                                     sort_keys=True))
            for k, v in sorted(data.items()) if v is not None}


def _printable(value):
    r"""``value`` with every string in it (keys too) made writable: see the module docstring.

    >>> _printable({"name\x00": ["NATO\ud800"]}) == {"name\ufffd": ["NATO\ufffd"]}
    True
    """
    if isinstance(value, str):
        return replace_unsafe(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value
